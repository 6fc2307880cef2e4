package io.redpacket.settlement.metrics;

import io.redpacket.avro.LiveMetric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Running totals of settlement's live metrics and their rendering as LiveMetric records for the dashboard.
 * Counters are cumulative since the job (re)started; latency percentiles are over the last window only.
 */
public final class LiveMetrics {
    public static final String SOURCE = "settlement";
    public static final double[] PERCENTILES = {50, 95, 99};

    private final Map<String, Long> totals = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Map<String, Long> gauges =
            new java.util.concurrent.ConcurrentSkipListMap<>(); // read by metric reporters
    private final MetricTally window = new MetricTally();

    public void merge(MetricTally t) {
        t.counters.forEach((k, v) -> totals.merge(k, v, Long::sum));
        gauges.putAll(t.gauges);
        window.latency.merge(t.latency);
    }

    public Long total(String key) {
        return totals.get(key);
    }

    public Long gauge(String key) {
        return gauges.get(key);
    }

    /** Every metric as of {@code windowEndMs}; starts the next latency window. */
    public List<LiveMetric> emit(long windowEndMs) {
        List<LiveMetric> out = new ArrayList<>();
        totals.forEach((k, v) -> out.add(metric(k, v, windowEndMs)));
        gauges.forEach((k, v) -> out.add(metric(k, v, windowEndMs)));
        if (window.latency.count() > 0) {
            for (double p : PERCENTILES) {
                out.add(metric("latency_p" + (int) p + "_ms", window.latency.percentile(p), windowEndMs));
            }
        }
        window.latency.clear();
        return out;
    }

    static LiveMetric metric(String taggedName, long value, long windowEndMs) {
        int bar = taggedName.indexOf('|');
        Map<String, String> tags = new TreeMap<>();
        String name = taggedName;
        if (bar >= 0) {
            name = taggedName.substring(0, bar);
            String tag = taggedName.substring(bar + 1);
            int eq = tag.indexOf('=');
            tags.put(tag.substring(0, eq), tag.substring(eq + 1));
        }
        return LiveMetric.newBuilder()
                .setSource(SOURCE)
                .setName(name)
                .setTags(new java.util.HashMap<>(tags))
                .setValue(value)
                .setWindowEndMs(windowEndMs)
                .build();
    }
}
