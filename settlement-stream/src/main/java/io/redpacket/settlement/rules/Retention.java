package io.redpacket.settlement.rules;

/**
 * How long settlement remembers an envelope or a user: until the campaign's last slot ends plus a grace
 * period for late opens and redeliveries. After that a replay cannot be credited anyway (the token has
 * expired and reconciliation has closed the books), so the state can go.
 */
public final class Retention {
    private Retention() {}

    /** Wall-clock time (processing time) at which per-key state is dropped; never in the past of {@code nowMs}. */
    public static long deadline(long campaignEndMs, long graceMs, long nowMs) {
        long end = campaignEndMs > Long.MAX_VALUE - graceMs ? Long.MAX_VALUE : campaignEndMs + graceMs;
        return Math.max(end, nowMs + 1);
    }
}
