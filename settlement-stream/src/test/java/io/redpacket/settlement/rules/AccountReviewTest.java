package io.redpacket.settlement.rules;

import static io.redpacket.settlement.rules.AccountReview.CONFIRMED;
import static io.redpacket.settlement.rules.AccountReview.HELD;
import static io.redpacket.settlement.rules.AccountReview.RELEASED;
import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.ControlAction;
import org.junit.jupiter.api.Test;

class AccountReviewTest {
    @Test
    void aFlagOrAnOperatorHoldsAnAccountNeverReviewed() {
        assertThat(AccountReview.next(null, ControlAction.HOLD_ACCOUNT, true)).isEqualTo(HELD);
        assertThat(AccountReview.next(null, ControlAction.HOLD_ACCOUNT, false)).isEqualTo(HELD);
    }

    @Test
    void aReviewersDecisionStandsAgainstLaterFlagsButNotAgainstAnOperator() {
        assertThat(AccountReview.next(RELEASED, ControlAction.HOLD_ACCOUNT, true))
                .isEqualTo(RELEASED);
        assertThat(AccountReview.next(CONFIRMED, ControlAction.HOLD_ACCOUNT, true))
                .isEqualTo(CONFIRMED);
        assertThat(AccountReview.next(RELEASED, ControlAction.HOLD_ACCOUNT, false))
                .isEqualTo(HELD);
    }

    @Test
    void decisionsApplyFromAnyStatusIncludingAReversal() {
        assertThat(AccountReview.next(HELD, ControlAction.RELEASE_ACCOUNT, false))
                .isEqualTo(RELEASED);
        assertThat(AccountReview.next(HELD, ControlAction.CONFIRM_FRAUD, false)).isEqualTo(CONFIRMED);
        assertThat(AccountReview.next(CONFIRMED, ControlAction.RELEASE_ACCOUNT, false))
                .isEqualTo(RELEASED);
        assertThat(AccountReview.next(null, ControlAction.CONFIRM_FRAUD, false)).isEqualTo(CONFIRMED);
    }

    @Test
    void otherSwitchesLeaveTheStatusAlone() {
        assertThat(AccountReview.next(HELD, ControlAction.SET_CHANNEL_LIMIT, false))
                .isEqualTo(HELD);
        assertThat(AccountReview.next(null, ControlAction.BLACKLIST_KEY, false)).isNull();
        assertThat(AccountReview.isReviewAction(ControlAction.PAUSE_DISPENSING)).isFalse();
    }
}
