package io.redpacket.settlement.rules;

import io.redpacket.avro.ControlAction;

/**
 * Where an account stands in review, and how a control command moves it. An account is HELD when a live flag
 * names it or an operator holds it: its credits within the caps are kept, not paid, until a reviewer decides.
 * RELEASED pays what was kept and everything after it; CONFIRMED (fraud) refuses what was kept and everything after
 * it, and the envelopes go back to their sponsors at reconciliation. A reviewer's decision stands against later
 * live flags (a flag repeats what the reviewer has already weighed); an operator can hold a released account again.
 */
public final class AccountReview {
    public static final byte HELD = 1;
    public static final byte RELEASED = 2;
    public static final byte CONFIRMED = 3;
    /** The operator name on the HOLD_ACCOUNT commands settlement issues itself from its live flags. */
    public static final String LIVE_FLAG_OPERATOR = "live-flag";

    private AccountReview() {}

    /**
     * @param current the account's status, null if it was never under review
     * @param fromLiveFlag whether the command is settlement's own hold on a live flag, not an operator's
     * @return the status after the command, or {@code current} if the command does not change it
     */
    public static Byte next(Byte current, ControlAction action, boolean fromLiveFlag) {
        return switch (action) {
            case HOLD_ACCOUNT -> current == null || current == HELD || !fromLiveFlag ? Byte.valueOf(HELD) : current;
            case RELEASE_ACCOUNT -> RELEASED;
            case CONFIRM_FRAUD -> CONFIRMED;
            default -> current;
        };
    }

    public static boolean isReviewAction(ControlAction action) {
        return action == ControlAction.HOLD_ACCOUNT
                || action == ControlAction.RELEASE_ACCOUNT
                || action == ControlAction.CONFIRM_FRAUD;
    }
}
