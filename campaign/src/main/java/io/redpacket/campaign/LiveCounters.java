package io.redpacket.campaign;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Cumulative counters from the metrics topic (LiveMetric), summed over their sources. A source counts from zero
 * again when its process restarts, so a value below the last one seen means a restart: what the source had counted
 * before is carried, and a total never goes back. Records of one source arrive in order (one partition, keyed by
 * source); a repeated record changes nothing.
 */
final class LiveCounters {
    /** Names the edges publish that are values now, not counts: never summed. */
    static final Set<String> EDGE_GAUGES = Set.of("paused", "dispense_rate", "countdown_shift_ms", "in_flight_opens", "connections",
            "control_offset");

    private final Map<String, Map<String, long[]>> bySource = new HashMap<>();

    /** Takes one record: {@code [last, carried]} per source and name. */
    void accept(String source, String name, long value) {
        if (EDGE_GAUGES.contains(name)) {
            return;
        }
        long[] c = bySource.computeIfAbsent(source, k -> new HashMap<>()).computeIfAbsent(name, k -> new long[2]);
        if (value < c[0]) {
            c[1] = Math.addExact(c[1], c[0]);
        }
        c[0] = value;
    }

    /** Every counter name and its total over all sources, restarts included. */
    Map<String, Long> totals() {
        Map<String, Long> out = new HashMap<>();
        bySource.values().forEach(names -> names.forEach((name, c) -> out.merge(name, Math.addExact(c[0], c[1]), Math::addExact)));
        return out;
    }
}
