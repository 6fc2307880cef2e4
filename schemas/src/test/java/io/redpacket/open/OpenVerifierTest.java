package io.redpacket.open;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.EnvelopeType;
import io.redpacket.avro.RejectReason;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.token.TokenSigner;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenVerifierTest {
    static final KeyRing RING = KeyRing.generate(3, new SecureRandom());
    static final long SHAKE = 1_000_000L;
    static final BatchCatalog BATCHES =
            BatchCatalog.of(List.of(batch(1, 1_000, 100, 50, 200), batch(2, 2_000, 10, 1, 9)));

    static BatchConfig batch(int id, long first, long count, long min, long max) {
        return BatchConfig.newBuilder()
                .setBatchId(id)
                .setCampaignId("c")
                .setVariant("v")
                .setSlotId("s1")
                .setSponsorId("sp" + id)
                .setSponsorName("Sponsor " + id)
                .setPaymentOrder("po" + id)
                .setEnvelopeAccount("acct" + id)
                .setType(EnvelopeType.PICTURE)
                .setChannel("cash")
                .setCount(count)
                .setTotalFen(count * min)
                .setMinFen(min)
                .setMaxFen(max)
                .setFirstEnvelopeId(first)
                .build();
    }

    static String token(long envelopeId, long amount, int batch, int key, String user) {
        byte[] rec = new byte[EnvelopeLayout.RECORD_BYTES];
        new TicketSealer(RING).seal(envelopeId, amount, batch, key, rec, 0);
        return new TokenSigner(RING).sign(rec, 0, user, SHAKE, 3);
    }

    OpenVerifier verifier(KeyBlacklist blacklist) {
        return new OpenVerifier(RING, blacklist, BATCHES, 60_000);
    }

    @Test
    void aValidOpenCarriesTicketBatchAndEdge() {
        OpenVerdict v = verifier(new KeyBlacklist()).verify(token(1_050, 120, 1, 2, "u1"), "u1", SHAKE + 5_000);
        assertThat(v.isValid()).isTrue();
        assertThat(v.ticket().envelopeId()).isEqualTo(1_050);
        assertThat(v.ticket().amountFen()).isEqualTo(120);
        assertThat(v.batch().getSponsorId()).isEqualTo("sp1");
        assertThat(v.edgeId()).isEqualTo(3);
        assertThat(v.shakeTimeMs()).isEqualTo(SHAKE);
    }

    @Test
    void eachLocalRuleHasItsReason() {
        OpenVerifier v = verifier(KeyBlacklist.of(3));
        assertThat(v.verify(token(1_050, 120, 1, 2, "u1"), "u2", SHAKE).reason())
                .isEqualTo(RejectReason.TOKEN_NOT_AUTHENTIC);
        assertThat(v.verify(token(1_050, 120, 1, 2, "u1"), "u1", SHAKE + 60_001).reason())
                .isEqualTo(RejectReason.TOKEN_EXPIRED);
        assertThat(v.verify(token(1_050, 120, 1, 3, "u1"), "u1", SHAKE).reason())
                .isEqualTo(RejectReason.BLACKLISTED_KEY);
        assertThat(v.verify(token(1_050, 120, 7, 2, "u1"), "u1", SHAKE).reason())
                .isEqualTo(RejectReason.UNKNOWN_BATCH);
        assertThat(v.verify(token(1_050, 201, 1, 2, "u1"), "u1", SHAKE).reason())
                .isEqualTo(RejectReason.AMOUNT_OUT_OF_BOUNDS);
        assertThat(v.verify(token(1_050, 49, 1, 2, "u1"), "u1", SHAKE).reason())
                .isEqualTo(RejectReason.AMOUNT_OUT_OF_BOUNDS);
        assertThat(v.verify(token(1_100, 120, 1, 2, "u1"), "u1", SHAKE).reason())
                .isEqualTo(RejectReason.NOT_PREGENERATED);
        assertThat(v.verify(token(999, 120, 1, 2, "u1"), "u1", SHAKE).reason())
                .isEqualTo(RejectReason.NOT_PREGENERATED);
        assertThat(v.verify("garbage", "u1", SHAKE).reason()).isEqualTo(RejectReason.MALFORMED_TOKEN);
    }

    @Test
    void withoutABatchCatalogOnlyTokenAndTicketAreChecked() {
        OpenVerifier v = new OpenVerifier(RING, new KeyBlacklist(), null, 0);
        OpenVerdict verdict = v.verify(token(5, 120, 9, 1, "u"), "u", Long.MAX_VALUE);
        assertThat(verdict.isValid()).isTrue();
        assertThat(verdict.batch()).isNull();
    }

    @Test
    void catalogRejectsDuplicateAndOutOfRangeBatchIds() {
        assertThatThrownBy(() -> BatchCatalog.of(List.of(batch(1, 0, 1, 1, 1), batch(1, 5, 1, 1, 1))))
                .hasMessageContaining("appears twice");
        assertThatThrownBy(() -> BatchCatalog.of(List.of(batch(0, 0, 1, 1, 1)))).hasMessageContaining("batchId: 0");
    }
}
