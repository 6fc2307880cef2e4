package io.redpacket.settlement.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.RejectReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapRuleTest {
    @Test
    void firstThreeEnvelopesOfDifferentSponsorsPass() {
        assertThat(CapRule.check(List.of(), "a")).isNull();
        assertThat(CapRule.check(List.of("a"), "b")).isNull();
        assertThat(CapRule.check(List.of("a", "b"), "c")).isNull();
    }

    @Test
    void fourthEnvelopeBreaksTheUserCapWhateverTheSponsor() {
        assertThat(CapRule.check(List.of("a", "b", "c"), "d")).isEqualTo(RejectReason.USER_CAP);
        assertThat(CapRule.check(List.of("a", "b", "c"), "a")).isEqualTo(RejectReason.USER_CAP);
    }

    @Test
    void secondEnvelopeOfOneSponsorBreaksTheSponsorCap() {
        assertThat(CapRule.check(List.of("a"), "a")).isEqualTo(RejectReason.SPONSOR_CAP);
        assertThat(CapRule.check(List.of("a", "b"), "b")).isEqualTo(RejectReason.SPONSOR_CAP);
    }
}
