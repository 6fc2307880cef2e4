package io.redpacket.settlement.metrics;

import io.redpacket.settlement.rules.LatencyHistogram;
import java.util.HashMap;
import java.util.Map;

/**
 * What one parallel instance saw in about a second: counter increments, latest gauge values and a latency
 * histogram. Names carry their tag as {@code name|tag=value} (e.g. {@code rejects|reason=USER_CAP}), so
 * tallies merge by adding maps. No Flink types: merged and turned into LiveMetric records by plain code.
 */
public class MetricTally {
    public Map<String, Long> counters = new HashMap<>();
    public Map<String, Long> gauges = new HashMap<>();
    public LatencyHistogram latency = new LatencyHistogram();

    public MetricTally() {}

    public static String tagged(String name, String tag, String value) {
        return name + "|" + tag + "=" + value;
    }

    public void add(String counter, long delta) {
        counters.merge(counter, delta, Long::sum);
    }

    public void gauge(String name, long value) {
        gauges.put(name, value);
    }

    public boolean isEmpty() {
        return counters.isEmpty() && gauges.isEmpty() && latency.count() == 0;
    }

    public void merge(MetricTally other) {
        other.counters.forEach(this::add);
        gauges.putAll(other.gauges);
        latency.merge(other.latency);
    }
}
