package io.redpacket.campaign;

import io.redpacket.metrics.LiveCounter;
import java.util.HashMap;
import java.util.Map;

/**
 * Cumulative counters from the metrics topic (LiveMetric), summed over their sources; each series read as
 * {@link LiveCounter} reads it (a restart carried, a late or repeated record ignored), gauges never summed.
 */
final class LiveCounters {
    private final Map<String, Map<String, LiveCounter>> bySource = new HashMap<>();

    /** Takes one record. */
    void accept(String source, String name, long value, long windowEndMs) {
        if (LiveCounter.isGauge(name)) {
            return;
        }
        bySource.computeIfAbsent(source, k -> new HashMap<>())
                .computeIfAbsent(name, k -> new LiveCounter())
                .accept(value, windowEndMs);
    }

    /** Every counter name and its total over all sources, restarts included. */
    Map<String, Long> totals() {
        Map<String, Long> out = new HashMap<>();
        bySource.values().forEach(names -> names.forEach((name, c) -> out.merge(name, c.total(), Math::addExact)));
        return out;
    }
}
