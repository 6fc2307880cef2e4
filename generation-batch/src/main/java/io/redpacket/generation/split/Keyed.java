package io.redpacket.generation.split;

import java.nio.charset.StandardCharsets;

/**
 * Counter-based randomness: every random number is a pure function of (seed, what it is for, index), so any
 * task can recompute exactly the numbers it needs, whatever partition or retry it runs in. Spark's rand()
 * depends on partitioning and is not safe under retries (SPARK-13380, SPARK-38160); this is.
 * The mixer is SplitMix64's finalizer (Steele, Lea, Flood 2014), which passes BigCrush on a counter input.
 */
public final class Keyed {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Keyed() {}

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A key derived from a parent key and one more component. */
    public static long derive(long key, long component) {
        return mix(key + GOLDEN * (component + 1) ^ Long.rotateLeft(key, 23));
    }

    public static long derive(long key, String component) {
        long h = 0xCBF29CE484222325L;
        for (byte b : component.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001B3L;
        }
        return derive(key, h);
    }

    /** The i-th random 64-bit value of the stream named by {@code key}. */
    public static long at(long key, long i) {
        return mix(key + GOLDEN * (i + 1));
    }

    /** A value in [0, bound) from a random 64-bit value; bias below 2^-38 for bounds up to 2^25. */
    public static long below(long random, long bound) {
        return Math.multiplyHigh(random >>> 1, bound << 1);
    }

    /** A sequential generator for shuffles, seeded by a key. Not thread-safe. */
    public static final class Stream {
        private long state;

        public Stream(long key) {
            this.state = key;
        }

        public long next() {
            state += GOLDEN;
            return mix(state);
        }

        public int nextInt(int bound) {
            return (int) below(next(), bound);
        }
    }
}
