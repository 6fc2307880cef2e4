package io.redpacket.settlement.rules;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Open-to-credit latency in milliseconds, in fixed buckets so histograms from parallel instances merge by
 * adding counts. Buckets: 1 ms wide up to 100 ms, then 10 ms up to 1 s, 100 ms up to 10 s, 1 s up to 10 min,
 * one overflow bucket. A percentile reports its bucket's upper bound: never optimistic, at most one bucket off.
 */
public final class LatencyHistogram implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long[] UPPER = buildBounds();

    /** Public for Flink's POJO serializer (histograms travel between operators); use the methods. */
    public long[] counts = new long[UPPER.length];

    public long total;

    public LatencyHistogram() {}

    private static long[] buildBounds() {
        long[] b = new long[100 + 90 + 90 + 590 + 1];
        int i = 0;
        for (long v = 1; v <= 100; v++) {
            b[i++] = v;
        }
        for (long v = 110; v <= 1_000; v += 10) {
            b[i++] = v;
        }
        for (long v = 1_100; v <= 10_000; v += 100) {
            b[i++] = v;
        }
        for (long v = 11_000; v <= 600_000; v += 1_000) {
            b[i++] = v;
        }
        b[i] = Long.MAX_VALUE;
        return b;
    }

    public void record(long latencyMs) {
        int idx = Arrays.binarySearch(UPPER, Math.max(0, latencyMs));
        counts[idx >= 0 ? idx : -idx - 1]++;
        total++;
    }

    public void merge(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    public long count() {
        return total;
    }

    /** Upper bound in ms of the bucket holding the p-th percentile (0 &lt; p &lt;= 100); -1 when empty. */
    public long percentile(double p) {
        if (total == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(total * p / 100.0);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(rank, 1)) {
                return UPPER[i];
            }
        }
        return UPPER[UPPER.length - 1];
    }

    public void clear() {
        Arrays.fill(counts, 0);
        total = 0;
    }
}
