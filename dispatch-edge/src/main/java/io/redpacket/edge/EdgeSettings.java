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

    /** The defaults below, for this edge id. */
    public static EdgeSettings defaults(int edgeId) {
        return builder(edgeId).build();
    }

    /** Starts from the defaults: both roles, 50,000 dispenses/s, 20,000 opens in flight, shakes shed above 10,000. */
    public static Builder builder(int edgeId) {
        return new Builder(edgeId);
    }

    /** A builder holding these settings, to change a few of them. */
    public Builder toBuilder() {
        return new Builder(edgeId)
                .shakeRole(shakeRole)
                .openRole(openRole)
                .dispensePerSecond(dispensePerSecond)
                .maxInFlightOpens(maxInFlightOpens)
                .shedShakesAbove(shedShakesAbove)
                .shakeIntervalMs(shakeIntervalMs)
                .maxTokenAgeMs(maxTokenAgeMs)
                .reservationBlock(reservationBlock)
                .userCacheSize(userCacheSize);
    }

    /** One setter per component; {@link #build()} validates as the record's constructor does. */
    public static final class Builder {
        private int edgeId;
        private boolean shakeRole = true;
        private boolean openRole = true;
        private long dispensePerSecond = 50_000;
        private int maxInFlightOpens = 20_000;
        private int shedShakesAbove = 10_000;
        private long shakeIntervalMs = DEFAULT_SHAKE_INTERVAL_MS;
        private long maxTokenAgeMs = DEFAULT_MAX_TOKEN_AGE_MS;
        private int reservationBlock = DEFAULT_RESERVATION_BLOCK;
        private int userCacheSize = 1 << 18;

        private Builder(int edgeId) {
            this.edgeId = edgeId;
        }

        public Builder edgeId(int id) {
            this.edgeId = id;
            return this;
        }

        public Builder shakeRole(boolean on) {
            this.shakeRole = on;
            return this;
        }

        public Builder openRole(boolean on) {
            this.openRole = on;
            return this;
        }

        public Builder dispensePerSecond(long perSecond) {
            this.dispensePerSecond = perSecond;
            return this;
        }

        public Builder maxInFlightOpens(int opens) {
            this.maxInFlightOpens = opens;
            return this;
        }

        public Builder shedShakesAbove(int opens) {
            this.shedShakesAbove = opens;
            return this;
        }

        public Builder shakeIntervalMs(long ms) {
            this.shakeIntervalMs = ms;
            return this;
        }

        public Builder maxTokenAgeMs(long ms) {
            this.maxTokenAgeMs = ms;
            return this;
        }

        public Builder reservationBlock(int records) {
            this.reservationBlock = records;
            return this;
        }

        public Builder userCacheSize(int entries) {
            this.userCacheSize = entries;
            return this;
        }

        public EdgeSettings build() {
            return new EdgeSettings(
                    edgeId,
                    shakeRole,
                    openRole,
                    dispensePerSecond,
                    maxInFlightOpens,
                    shedShakesAbove,
                    shakeIntervalMs,
                    maxTokenAgeMs,
                    reservationBlock,
                    userCacheSize);
        }
    }
}
