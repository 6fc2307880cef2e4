package io.redpacket.settlement.rules;

/**
 * A channel's crediting budget at 100 ms granularity. A limit of L per second is cut into ten buckets whose
 * quotas differ by at most one and add up to exactly L within each wall-clock second (bucket k of a second
 * gets floor(L(k+1)/10) - floor(Lk/10)), so a second's quota is spread evenly and never exceeded, even for
 * limits under 10/s. Mutable, kept in keyed state as a POJO; no Flink types.
 */
public final class RateWindow {
    public static final long BUCKET_MS = 100;
    public static final int BUCKETS_PER_SECOND = 10;
    /** A limit of 0 or less means the channel is not shaped. */
    public static final long UNLIMITED = 0;

    /** Start of the bucket {@link #used} counts in; public for Flink's POJO serializer. */
    public long bucketStartMs = Long.MIN_VALUE;

    public long used;

    public static long bucketStart(long nowMs) {
        return Math.floorDiv(nowMs, BUCKET_MS) * BUCKET_MS;
    }

    public static long nextBucketStart(long nowMs) {
        return bucketStart(nowMs) + BUCKET_MS;
    }

    /** Quota of the bucket starting at {@code bucketStartMs} for a limit per second. */
    public static long quota(long limitPerSecond, long bucketStartMs) {
        long k = Math.floorMod(Math.floorDiv(bucketStartMs, BUCKET_MS), BUCKETS_PER_SECOND);
        return limitPerSecond * (k + 1) / BUCKETS_PER_SECOND - limitPerSecond * k / BUCKETS_PER_SECOND;
    }

    public static boolean isUnlimited(long limitPerSecond) {
        return limitPerSecond <= UNLIMITED;
    }

    /** How many more credits may be released at {@code nowMs}; moves to the current bucket first. */
    public long room(long nowMs, long limitPerSecond) {
        if (isUnlimited(limitPerSecond)) {
            return Long.MAX_VALUE;
        }
        long start = bucketStart(nowMs);
        if (start != bucketStartMs) {
            bucketStartMs = start;
            used = 0;
        }
        return Math.max(0, quota(limitPerSecond, start) - used);
    }

    /** Records {@code n} releases in the current bucket; call after {@link #room}. */
    public void take(long n) {
        used += n;
    }
}
