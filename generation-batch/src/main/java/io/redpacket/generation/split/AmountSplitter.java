package io.redpacket.generation.split;

import java.math.BigInteger;

/**
 * Splits an amount into envelopes: exact integer sum, every envelope within [min, max], O(n), no position bias.
 *
 * <p>Distribution. With mean {@code m = total / count} (floored) and half-width {@code h = min(m - min, max - m)},
 * each envelope is first drawn independently and uniformly from the integers in {@code [m - h, m + h]} (the
 * widest interval around the mean that respects both bounds; with a low mean it is WeChat's [min, 2m - min]).
 * The draws miss the total by a residual D, on average the fractional part of the mean times the count, plus
 * noise of about h * sqrt(count / 3). D is then spread over all envelopes evenly, each getting floor(D / count)
 * or one more, in a Bresenham pattern; an envelope at its bound passes its share on to the next. A draw is
 * therefore moved by at most one or two fen unless count is tiny, and neither the draw nor the correction
 * depends on the position in any way the in-file shuffle does not erase.
 *
 * <p>Every draw {@code i} is {@link Keyed#at(long, long)} of the stream key, so any slice of a batch can be
 * produced by itself: the caller splits a batch into chunks with {@link #share} (each chunk's total is exactly
 * proportional to its count) and splits each chunk here, bounding memory by the chunk size.
 */
public final class AmountSplitter {
    private AmountSplitter() {}

    /**
     * Fills {@code out[off .. off+count)} with amounts summing exactly to {@code total}, each in [min, max].
     * Requires {@code count * min <= total <= count * max}.
     */
    public static void split(long total, int count, long min, long max, long key, long[] out, int off) {
        if (count == 0) {
            if (total != 0) {
                throw new IllegalArgumentException("total " + total + " for zero envelopes");
            }
            return;
        }
        if (total < (long) count * min || total > (long) count * max) {
            throw new IllegalArgumentException(
                    "infeasible split: " + count + " envelopes of " + min + ".." + max + " fen for " + total + " fen");
        }
        long mean = total / count;
        long half = Math.min(mean - min, max - mean);
        long width = 2 * half + 1;
        long low = mean - half;
        long sum = 0;
        for (int i = 0; i < count; i++) {
            long v = low + Keyed.below(Keyed.at(key, i), width);
            out[off + i] = v;
            sum += v;
        }
        spread(total - sum, count, min, max, out, off);
    }

    /** Adds {@code residual} over the envelopes evenly, never crossing a bound; feasibility guarantees it fits. */
    static void spread(long residual, int count, long min, long max, long[] out, int off) {
        long q = Math.floorDiv(residual, count);
        long r = Math.floorMod(residual, count);
        long acc = 0;
        long carry = 0;
        for (int i = 0; i < count && (residual != 0 || carry != 0); i++) {
            long want = q + carry;
            acc += r;
            if (acc >= count) {
                acc -= count;
                want++;
            }
            long v = out[off + i];
            long next = Math.max(min, Math.min(max, v + want));
            carry = want - (next - v);
            out[off + i] = next;
        }
        // Only envelopes at a bound refused their share: hand the rest to whoever has room.
        for (int i = 0; i < count && carry != 0; i++) {
            long v = out[off + i];
            long next = Math.max(min, Math.min(max, v + carry));
            carry -= next - v;
            out[off + i] = next;
        }
        if (carry != 0) {
            throw new IllegalStateException("residual " + carry + " fen left after spreading: infeasible bounds");
        }
    }

    /**
     * The exact share of {@code total} that falls to items {@code [from, to)} of {@code count} when each item's
     * share is {@code total / count}: floor(total * to / count) - floor(total * from / count). Shares of
     * adjacent ranges add up to the total exactly, and a range of c items gets between c * min and c * max
     * whenever the whole does.
     */
    public static long share(long total, long count, long from, long to) {
        return prefix(total, count, to) - prefix(total, count, from);
    }

    private static long prefix(long total, long count, long upTo) {
        if (upTo == count) {
            return total;
        }
        long q = total / count;
        long r = total % count;
        // q * upTo fits; r * upTo may not (both up to 2^40), so take the exact route when it could overflow.
        if (r == 0) {
            return q * upTo;
        }
        if (Math.multiplyHigh(r, upTo) == 0 && r * upTo >= 0) {
            return q * upTo + r * upTo / count;
        }
        return q * upTo
                + BigInteger.valueOf(r)
                        .multiply(BigInteger.valueOf(upTo))
                        .divide(BigInteger.valueOf(count))
                        .longValueExact();
    }
}
