package io.redpacket.settlement.rules;

import static io.redpacket.settlement.rules.CapRule.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.RejectReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapRuleTest {
    @Test
    void firstThreeEnvelopesOfDifferentSponsorsPass() {
        assertThat(CapRule.check(List.of(), "a")).isNull();
        assertThat(CapRule.check(List.of(entry(1, "a")), "b")).isNull();
        assertThat(CapRule.check(List.of(entry(1, "a"), entry(2, "b")), "c")).isNull();
    }

    @Test
    void fourthEnvelopeBreaksTheUserCapWhateverTheSponsor() {
        List<String> three = List.of(entry(1, "a"), entry(2, "b"), entry(3, "c"));
        assertThat(CapRule.check(three, "d")).isEqualTo(RejectReason.USER_CAP);
        assertThat(CapRule.check(three, "a")).isEqualTo(RejectReason.USER_CAP);
    }

    @Test
    void secondEnvelopeOfOneSponsorBreaksTheSponsorCapAndOnlyTheSameSponsor() {
        assertThat(CapRule.check(List.of(entry(1, "a")), "a")).isEqualTo(RejectReason.SPONSOR_CAP);
        assertThat(CapRule.check(List.of(entry(1, "a"), entry(2, "b b")), "b b"))
                .isEqualTo(RejectReason.SPONSOR_CAP);
        assertThat(CapRule.check(List.of(entry(1, "ab")), "a")).isNull();
        assertThat(CapRule.check(List.of(entry(1, "a")), "ab")).isNull();
    }

    @Test
    void anAcceptedEnvelopeIsRecognisedByItsId() {
        List<String> accepted = List.of(entry(12, "a"), entry(3, "b"));
        assertThat(CapRule.holds(accepted, 12)).isTrue();
        assertThat(CapRule.holds(accepted, 3)).isTrue();
        assertThat(CapRule.holds(accepted, 1)).isFalse();
        assertThat(CapRule.holds(accepted, 123)).isFalse();
    }
}
