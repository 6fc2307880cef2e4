package io.redpacket.metrics;

import java.util.Set;

/**
 * One cumulative counter of the metrics topic (LiveMetric: settlement's and the edges' counters count since their
 * process started), read the one way every reader needs: a value below the last one means its source restarted and
 * counts from zero again, so what it had counted before is carried and the total never goes back; a sample not newer
 * than the last one (late, or delivered twice) changes nothing.
 */
public final class LiveCounter {
    /** Names published as the value now, not as a count: never differenced or summed (latency_* too). */
    private static final Set<String> GAUGES = Set.of(
            "backlog",
            "paused",
            "dispense_rate",
            "countdown_shift_ms",
            "in_flight_opens",
            "control_offset",
            "connections");

    private long last;
    private long lastMs = Long.MIN_VALUE;
    private long carried;

    public static boolean isGauge(String name) {
        return GAUGES.contains(name) || name.startsWith("latency_");
    }

    /** Takes a sample; answers what it added since the previous sample (its whole value after a restart), or -1 if ignored. */
    public long accept(long value, long timeMs) {
        if (timeMs <= lastMs) {
            return -1;
        }
        long delta;
        if (value < last) {
            carried = Math.addExact(carried, last);
            delta = value;
        } else {
            delta = value - last;
        }
        last = value;
        lastMs = timeMs;
        return delta;
    }

    /** Everything counted, restarts included. */
    public long total() {
        return Math.addExact(carried, last);
    }

    /** The time of the last sample taken (Long.MIN_VALUE before the first). */
    public long lastMs() {
        return lastMs;
    }
}
