package io.redpacket.edge.guard;

import io.redpacket.edge.state.KeyedHash;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Token buckets per key (client address, user id) in a fixed-size table, no objects and no locks: a slot holds the
 * keyed hash of its key and the bucket (tokens in 1/256ths, last refill in ms). A newcomer that lands on an
 * occupied slot takes it over with a full bucket: memory stays bounded whatever the number of keys, and since the
 * hash is keyed with a secret (see {@link KeyedHash}) nobody can aim at another client's slot. Races between event
 * loops make the count approximate by a token or two, never unbounded.
 */
public final class RateLimiter {
    private static final long UNIT = 256;
    private static final int TOKEN_BITS = 24;
    private static final long TOKEN_MASK = (1L << TOKEN_BITS) - 1;
    /** Refill times are kept modulo 2^39 ms (17 years): epoch ms would not fit beside the tokens. */
    private static final long TIME_MASK = (1L << (63 - TOKEN_BITS)) - 1;

    private final AtomicLongArray table;
    private final int mask;
    private final KeyedHash hash;
    private final double perSecond;
    private final long burstUnits;

    /** @param perSecond sustained rate; 0 turns the limiter off */
    public RateLimiter(int capacityPowerOfTwo, double perSecond, int burst, KeyedHash hash) {
        if (Integer.bitCount(capacityPowerOfTwo) != 1) {
            throw new IllegalArgumentException("capacity " + capacityPowerOfTwo + " is not a power of two");
        }
        if (burst < 1 || burst * UNIT > TOKEN_MASK) {
            throw new IllegalArgumentException("burst " + burst + " (allowed 1.." + TOKEN_MASK / UNIT + ")");
        }
        this.table = new AtomicLongArray(2 * capacityPowerOfTwo);
        this.mask = capacityPowerOfTwo - 1;
        this.hash = hash;
        this.perSecond = perSecond;
        this.burstUnits = burst * UNIT;
    }

    public boolean enabled() {
        return perSecond > 0;
    }

    /** 0 when the request may go ahead, else the ms until the key's next token. */
    public long acquire(String key, long nowMs) {
        long r = take(key, nowMs);
        return r >= 0 ? 0 : -r;
    }

    public long acquire(long keyHash, long nowMs) {
        long r = take(keyHash, nowMs);
        return r >= 0 ? 0 : -r;
    }

    /**
     * Takes a token: the share of the key's bucket left afterwards in permille (0..1000: how far below its rate the
     * key is, what load shedding ranks clients by), or minus the ms until the next token when there is none. 1000
     * when the limiter is off.
     */
    public long take(String key, long nowMs) {
        return perSecond <= 0 ? 1000 : take(hash.hash(key), nowMs);
    }

    /** {@link #take(String, long)} for a key already hashed with this limiter's {@link KeyedHash} (one hash per request). */
    public long take(long keyHash, long nowMs) {
        if (perSecond <= 0) {
            return 1000;
        }
        long h = keyHash | 1;
        int i = 2 * ((int) (h >>> 17) & mask);
        while (true) {
            long tag = table.get(i);
            long state = table.get(i + 1);
            long tokens;
            if (tag != h) {
                tokens = burstUnits;
            } else {
                long last = state >>> TOKEN_BITS;
                long elapsed = ((nowMs & TIME_MASK) - last) & TIME_MASK;
                if (elapsed > TIME_MASK / 2) {
                    // A clock that went back a little (another loop's earlier "now"): no refill.
                    elapsed = 0;
                }
                tokens = Math.min(burstUnits, (state & TOKEN_MASK) + (long) (elapsed * perSecond * UNIT / 1000));
            }
            if (tokens < UNIT) {
                return -Math.max(1, (long) Math.ceil((UNIT - tokens) * 1000.0 / (perSecond * UNIT)));
            }
            long left = tokens - UNIT;
            long next = ((nowMs & TIME_MASK) << TOKEN_BITS) | left;
            if (tag != h) {
                // Take the slot over; a racing newcomer on the same slot simply wins or loses the next round.
                table.set(i, h);
                table.set(i + 1, next);
                return left * 1000 / burstUnits;
            }
            if (table.compareAndSet(i + 1, state, next)) {
                return left * 1000 / burstUnits;
            }
        }
    }
}
