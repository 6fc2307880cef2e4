package io.redpacket.edge.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.keys.KeyRing;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class StateCodecTest {
    private final KeyRing ring = KeyRing.generate(2, new SecureRandom());
    private final StateCodec codec = new StateCodec(ring.tokenOnly());

    @Test
    void roundTripsAndShakeOnlyAndOpenEdgesAgree() {
        ClientState s = ClientState.EMPTY.with(3).with(700);
        String blob = codec.encode("u1", s);
        assertThat(codec.decode("u1", blob)).isEqualTo(s);
        assertThat(new StateCodec(ring).decode("u1", blob)).isEqualTo(s);
        assertThat(codec.decode("u1", null)).isEqualTo(ClientState.EMPTY);
        assertThat(codec.decode("u1", "")).isEqualTo(ClientState.EMPTY);
    }

    @Test
    void editedBlobOtherUserOrOtherCampaignIsRefused() {
        String blob = codec.encode("u1", ClientState.EMPTY.with(3).with(4).with(5));
        byte[] b = Base64.getUrlDecoder().decode(blob);
        b[1] = 0; // claim no wins
        assertThat(codec.decode("u1", Base64.getUrlEncoder().withoutPadding().encodeToString(b)))
                .isNull();
        assertThat(codec.decode("u2", blob)).isNull();
        assertThat(new StateCodec(KeyRing.generate(1, new SecureRandom())).decode("u1", blob))
                .isNull();
        assertThat(codec.decode("u1", "!!not base64!!")).isNull();
        assertThat(codec.decode("u1", "x".repeat(500))).isNull();
    }

    @Test
    void winnerMemoryPacksStatesAndForgetsOnlyByEviction() {
        UserStateCache cache = new UserStateCache(1 << 10);
        ClientState s = ClientState.EMPTY.with(65535).with(0).with(77);
        cache.put("u1", s);
        assertThat(cache.get("u1")).isEqualTo(s);
        assertThat(cache.get("u2")).isNull();
        cache.put("u1", ClientState.EMPTY.with(5));
        assertThat(cache.get("u1")).isEqualTo(ClientState.EMPTY.with(5));
        int remembered = 0;
        for (int i = 0; i < 5000; i++) {
            cache.put("x" + i, ClientState.EMPTY.with(i % 100));
        }
        for (int i = 0; i < 5000; i++) {
            ClientState got = cache.get("x" + i);
            if (got != null) {
                assertThat(got).isEqualTo(ClientState.EMPTY.with(i % 100));
                remembered++;
            }
        }
        assertThat(remembered).isBetween(500, 1024);
    }

    @Test
    void mergeKeepsTheStricterView() {
        ClientState a = ClientState.EMPTY.with(1);
        ClientState b = ClientState.EMPTY.with(2).with(1);
        ClientState m = a.merge(b);
        assertThat(m.count()).isEqualTo(2);
        assertThat(m.hasSponsor(1)).isTrue();
        assertThat(m.hasSponsor(2)).isTrue();
        assertThat(m.merge(ClientState.EMPTY.with(9)).capped()).isTrue();
        assertThat(ClientState.EMPTY.merge(null)).isEqualTo(ClientState.EMPTY);
    }
}
