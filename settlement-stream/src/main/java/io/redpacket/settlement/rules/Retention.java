package io.redpacket.settlement.rules;

/**
 * How long settlement remembers an envelope or a user: until the campaign's last slot ends plus a grace
 * period for late opens and redeliveries (longer than the token lifetime, so a replay after the state is gone
 * fails as TOKEN_EXPIRED anyway). State then goes, so it is bounded by one campaign, not by history.
 */
public final class Retention {
    private Retention() {}

    public static long retainUntil(long campaignEndMs, long graceMs) {
        return campaignEndMs > Long.MAX_VALUE - graceMs ? Long.MAX_VALUE : campaignEndMs + graceMs;
    }

    /** When to drop a key's state written at {@code nowMs}: the retention end, or right away if it has passed. */
    public static long cleanupAt(long retainUntilMs, long nowMs) {
        return Math.max(retainUntilMs, nowMs + 1);
    }
}
