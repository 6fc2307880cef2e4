package io.redpacket.edge;

/**
 * The tunables of one edge, parsed once from the command line.
 *
 * @param edgeId             this edge's id (0..65535), written into tokens and open events
 * @param shakeRole          answers shakes (needs the token key only)
 * @param openRole           answers opens (needs the ticket keys: open-ring.p12)
 * @param dispensePerSecond  initial per-second dispense quota of this edge
 * @param maxInFlightOpens   opens waiting for Kafka beyond which opens are shed too
 * @param shedShakesAbove    opens in flight beyond which shakes are shed (below maxInFlightOpens: shakes go first)
 * @param shakeIntervalMs    server-controlled interval a client waits between shakes
 * @param maxTokenAgeMs      how long after the shake an open is accepted (0: no limit)
 * @param reservationBlock   records reserved per durable cursor write
 * @param userCacheSize      entries of the local winner memory (power of two)
 */
public record EdgeSettings(
        int edgeId,
        boolean shakeRole,
        boolean openRole,
        long dispensePerSecond,
        int maxInFlightOpens,
        int shedShakesAbove,
        long shakeIntervalMs,
        long maxTokenAgeMs,
        int reservationBlock,
        int userCacheSize) {
    public static final long DEFAULT_SHAKE_INTERVAL_MS = 1000;
    public static final long DEFAULT_MAX_TOKEN_AGE_MS = 24L * 3600 * 1000;
    /** Half a second of slack at 100,000 dispenses/s; a restart leaves at most two blocks per file undispensed. */
    public static final int DEFAULT_RESERVATION_BLOCK = 50_000;

    public EdgeSettings {
        if (edgeId < 0 || edgeId > io.redpacket.token.TokenLayout.MAX_EDGE_ID) {
            throw new IllegalArgumentException(
                    "edge id " + edgeId + " (allowed 0.." + io.redpacket.token.TokenLayout.MAX_EDGE_ID + ")");
        }
        if (!shakeRole && !openRole) {
            throw new IllegalArgumentException("an edge needs the shake role, the open role or both");
        }
        if (shedShakesAbove > maxInFlightOpens) {
            throw new IllegalArgumentException("shed-shakes-above " + shedShakesAbove + " exceeds max-in-flight-opens "
                    + maxInFlightOpens + ": shakes must be shed before opens");
        }
    }

    public static EdgeSettings defaults(int edgeId) {
        return new EdgeSettings(
                edgeId,
                true,
                true,
                50_000,
                20_000,
                10_000,
                DEFAULT_SHAKE_INTERVAL_MS,
                DEFAULT_MAX_TOKEN_AGE_MS,
                DEFAULT_RESERVATION_BLOCK,
                1 << 18);
    }

    public EdgeSettings withRate(long perSecond) {
        return new EdgeSettings(
                edgeId,
                shakeRole,
                openRole,
                perSecond,
                maxInFlightOpens,
                shedShakesAbove,
                shakeIntervalMs,
                maxTokenAgeMs,
                reservationBlock,
                userCacheSize);
    }

    public EdgeSettings withInFlight(int maxOpens, int shedShakes) {
        return new EdgeSettings(
                edgeId,
                shakeRole,
                openRole,
                dispensePerSecond,
                maxOpens,
                shedShakes,
                shakeIntervalMs,
                maxTokenAgeMs,
                reservationBlock,
                userCacheSize);
    }

    public EdgeSettings withReservationBlock(int block) {
        return new EdgeSettings(
                edgeId,
                shakeRole,
                openRole,
                dispensePerSecond,
                maxInFlightOpens,
                shedShakesAbove,
                shakeIntervalMs,
                maxTokenAgeMs,
                block,
                userCacheSize);
    }

    public EdgeSettings withRoles(boolean shake, boolean open) {
        return new EdgeSettings(
                edgeId,
                shake,
                open,
                dispensePerSecond,
                maxInFlightOpens,
                shedShakesAbove,
                shakeIntervalMs,
                maxTokenAgeMs,
                reservationBlock,
                userCacheSize);
    }
}
