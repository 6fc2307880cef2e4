package io.redpacket.settlement.metrics;

import io.redpacket.avro.LiveMetric;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Merges the tallies of all parallel instances (runs with parallelism 1; a handful of tallies per second)
 * and every interval emits the LiveMetric records for the metrics topic. Each metric is also registered as a
 * Flink gauge (tag as a metric group, e.g. {@code reason=USER_CAP}), so a Prometheus reporter exposes them.
 */
public class PublishLiveMetrics extends AbstractStreamOperator<LiveMetric>
        implements OneInputStreamOperator<MetricTally, LiveMetric> {
    private final long intervalMs;
    private transient LiveMetrics metrics;
    private transient Set<String> registered;
    private transient long[] latestPercentiles;

    public PublishLiveMetrics(long intervalMs) {
        this.intervalMs = intervalMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        metrics = new LiveMetrics();
        registered = new HashSet<>();
        latestPercentiles = new long[LiveMetrics.PERCENTILES.length];
        for (int i = 0; i < latestPercentiles.length; i++) {
            int idx = i;
            latestPercentiles[i] = -1;
            getMetricGroup()
                    .gauge("latency_p" + (int) LiveMetrics.PERCENTILES[i] + "_ms", () -> latestPercentiles[idx]);
        }
        schedule();
    }

    private void schedule() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + intervalMs, this::publish);
    }

    private void publish(long timestamp) {
        for (LiveMetric m : metrics.emit(timestamp)) {
            if (m.getName().startsWith("latency_p")) {
                for (int i = 0; i < LiveMetrics.PERCENTILES.length; i++) {
                    if (m.getName().equals("latency_p" + (int) LiveMetrics.PERCENTILES[i] + "_ms")) {
                        latestPercentiles[i] = m.getValue();
                    }
                }
            }
            output.collect(new StreamRecord<>(m, timestamp));
        }
        schedule();
    }

    /** A bounded run (tests, a drained stop) ends with the final figures, not those of the last full interval. */
    @Override
    public void finish() throws Exception {
        for (LiveMetric m : metrics.emit(getProcessingTimeService().getCurrentProcessingTime())) {
            output.collect(new StreamRecord<>(m));
        }
        super.finish();
    }

    @Override
    public void processElement(StreamRecord<MetricTally> element) {
        MetricTally t = element.getValue();
        metrics.merge(t);
        t.counters.keySet().forEach(k -> register(k, true));
        t.gauges.keySet().forEach(k -> register(k, false));
    }

    private void register(String key, boolean counter) {
        if (!registered.add(key)) {
            return;
        }
        MetricGroup group = getMetricGroup();
        String name = key;
        int bar = key.indexOf('|');
        if (bar >= 0) {
            String tag = key.substring(bar + 1);
            int eq = tag.indexOf('=');
            group = group.addGroup(tag.substring(0, eq), tag.substring(eq + 1));
            name = key.substring(0, bar);
        }
        if (counter) {
            group.gauge(name, () -> metrics.total(key));
        } else {
            group.gauge(name, () -> metrics.gauge(key));
        }
    }
}
