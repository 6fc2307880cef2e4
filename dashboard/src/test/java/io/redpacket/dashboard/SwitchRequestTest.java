package io.redpacket.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.ControlAction;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every switch validated before anything moves, with a message naming the field. */
class SwitchRequestTest {
    static final Set<String> CHANNELS = Set.of("cash", "coupon-travel");

    static SwitchRequest parse(String action, Map<String, String> params) {
        return SwitchRequest.parse(action, params, CHANNELS);
    }

    @Test
    void validSwitchesKnowTheirEdgePathAndControlCommand() {
        assertThat(parse("pause", Map.of()).edgePath()).isEqualTo("pause");
        assertThat(parse("resume", Map.of()).action().control).isEqualTo(ControlAction.RESUME_DISPENSING);
        SwitchRequest rate = parse("rate", Map.of("perSecond", " 2500 "));
        assertThat(rate.edgePath()).isEqualTo("rate?perSecond=2500");
        assertThat(rate.value()).isEqualTo(2500L);
        SwitchRequest bl = parse("blacklist", Map.of("keyId", "17"));
        assertThat(bl.edgePath()).isEqualTo("blacklist?keyId=17");
        assertThat(bl.keyId()).isEqualTo(17);
        assertThat(bl.action().control).isEqualTo(ControlAction.BLACKLIST_KEY);
        assertThat(parse("shift", Map.of("ms", "-30000")).edgePath()).isEqualTo("shift?ms=-30000");
        SwitchRequest limit = parse("channel-limit", Map.of("channel", "coupon-travel", "perSecond", "0"));
        assertThat(limit.action().toEdges).isFalse();
        assertThat(limit.edgePath()).isNull();
        assertThat(limit.channel()).isEqualTo("coupon-travel");
        assertThat(limit.value()).isZero();
        assertThat(limit.action().control).isEqualTo(ControlAction.SET_CHANNEL_LIMIT);
    }

    @Test
    void reviewSwitchesNameOneAccountForSettlementOnly() {
        SwitchRequest release = parse("release-account", Map.of("userId", " u-123 "));
        assertThat(release.userId()).isEqualTo("u-123");
        assertThat(release.action().control).isEqualTo(ControlAction.RELEASE_ACCOUNT);
        assertThat(release.action().toEdges).isFalse();
        assertThat(release.edgePath()).isNull();
        assertThat(parse("confirm-fraud", Map.of("userId", "u-9")).action().control)
                .isEqualTo(ControlAction.CONFIRM_FRAUD);
        assertThat(parse("hold-account", Map.of("userId", "u-9")).action().control)
                .isEqualTo(ControlAction.HOLD_ACCOUNT);
        assertThatThrownBy(() -> parse("release-account", Map.of())).hasMessageStartingWith("userId: required");
        assertThatThrownBy(() -> parse("confirm-fraud", Map.of("userId", "a b")))
                .hasMessageStartingWith("userId: printable ASCII");
        assertThatThrownBy(() -> parse("confirm-fraud", Map.of("userId", "u\nSWITCH")))
                .hasMessageStartingWith("userId: printable ASCII");
        assertThatThrownBy(() -> parse("hold-account", Map.of("userId", "x".repeat(129))))
                .hasMessageStartingWith("userId: empty or longer than 128");
        assertThatThrownBy(() -> parse("hold-account", Map.of("userId", "u", "keyId", "1")))
                .hasMessageStartingWith("keyId: not a parameter");
    }

    @Test
    void badRequestsAreRefusedWithTheFieldNamed() {
        assertThatThrownBy(() -> parse("explode", Map.of())).hasMessageContaining("unknown switch 'explode'");
        assertThatThrownBy(() -> parse("pause", Map.of("x", "1"))).hasMessageStartingWith("x: not a parameter");
        assertThatThrownBy(() -> parse("rate", Map.of())).hasMessageStartingWith("perSecond: required");
        assertThatThrownBy(() -> parse("rate", Map.of("perSecond", "fast")))
                .hasMessageStartingWith("perSecond: 'fast' is not an integer");
        assertThatThrownBy(() -> parse("rate", Map.of("perSecond", "-1")))
                .hasMessageStartingWith("perSecond: -1 is out of range");
        assertThatThrownBy(() -> parse("rate", Map.of("perSecond", "99999999999")))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> parse("blacklist", Map.of("keyId", "0")))
                .hasMessageStartingWith("keyId: 0 is out of range 1..");
        assertThatThrownBy(() -> parse("blacklist", Map.of("keyId", "1;rm"))).hasMessageStartingWith("keyId:");
        assertThatThrownBy(() -> parse("shift", Map.of("ms", "0"))).hasMessageStartingWith("ms: 0 shifts nothing");
        assertThatThrownBy(() -> parse("shift", Map.of("ms", String.valueOf(SwitchRequest.MAX_SHIFT_MS + 1))))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> parse("channel-limit", Map.of("perSecond", "5")))
                .hasMessageStartingWith("channel: required");
        assertThatThrownBy(() -> parse("channel-limit", Map.of("channel", "gold", "perSecond", "5")))
                .hasMessageStartingWith("channel: 'gold' is not a crediting channel of this campaign");
        assertThatThrownBy(() -> parse("channel-limit", Map.of("channel", "cash")))
                .hasMessageStartingWith("perSecond: required");
    }
}
