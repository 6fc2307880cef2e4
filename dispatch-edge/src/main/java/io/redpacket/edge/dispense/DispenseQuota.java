package io.redpacket.edge.dispense;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-second dispense cap at 100 ms granularity: a second's quota is spread over its ten 100 ms
 * buckets, so a burst at the start of a second cannot take the whole second's envelopes and the open
 * and credit side sees a smooth rate. Unused allowance does not carry over. Lock-free: one CAS per grant.
 * The rate can change while running; it applies from the next grant.
 */
public final class DispenseQuota {
    public static final int BUCKET_MS = 100;
    public static final int BUCKETS_PER_SECOND = 1000 / BUCKET_MS;
    private static final int COUNT_BITS = 24;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    /** Largest grantable rate: the per-bucket count must fit the packed state. */
    public static final long MAX_RATE = COUNT_MASK * BUCKETS_PER_SECOND;

    /** High bits: bucket number (epoch ms / 100); low 24 bits: grants in that bucket. */
    private final AtomicLong state = new AtomicLong();

    private volatile long perSecond;

    public DispenseQuota(long perSecond) {
        setRate(perSecond);
    }

    public void setRate(long perSecond) {
        if (perSecond < 0 || perSecond > MAX_RATE) {
            throw new IllegalArgumentException("dispense rate " + perSecond + "/s (allowed 0.." + MAX_RATE + ")");
        }
        this.perSecond = perSecond;
    }

    public long rate() {
        return perSecond;
    }

    /** Envelopes bucket {@code bucket} may grant: the second's rate split so the ten buckets sum to it exactly. */
    static long allowance(long perSecond, long bucket) {
        long k = Math.floorMod(bucket, BUCKETS_PER_SECOND);
        return perSecond * (k + 1) / BUCKETS_PER_SECOND - perSecond * k / BUCKETS_PER_SECOND;
    }

    /** Takes one envelope's worth of quota at {@code nowMs}; false when this bucket is used up. */
    public boolean tryAcquire(long nowMs) {
        long bucket = nowMs / BUCKET_MS;
        long allowed = allowance(perSecond, bucket);
        while (true) {
            long s = state.get();
            long used = (s >>> COUNT_BITS) == bucket ? s & COUNT_MASK : 0;
            if (used >= allowed) {
                return false;
            }
            if (state.compareAndSet(s, (bucket << COUNT_BITS) | (used + 1))) {
                return true;
            }
        }
    }

    /** Gives back a grant that found nothing to dispense, so an empty file does not eat the bucket. */
    public void release(long nowMs) {
        long bucket = nowMs / BUCKET_MS;
        while (true) {
            long s = state.get();
            if ((s >>> COUNT_BITS) != bucket || (s & COUNT_MASK) == 0) {
                return;
            }
            if (state.compareAndSet(s, s - 1)) {
                return;
            }
        }
    }

    /** Ms until the next bucket opens: the retry-after of a shake refused by the quota. */
    public static long msUntilNextBucket(long nowMs) {
        return BUCKET_MS - Math.floorMod(nowMs, BUCKET_MS);
    }
}
