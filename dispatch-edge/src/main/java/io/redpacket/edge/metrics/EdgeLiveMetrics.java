package io.redpacket.edge.metrics;

import io.redpacket.avro.LiveMetric;
import io.redpacket.avro.RejectReason;
import io.redpacket.edge.EdgeService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * The edge's few decisive numbers as LiveMetric records (source {@code edge-<id>}) for the metrics topic, the
 * same convention as settlement: counters are cumulative since the process started (a reader takes
 * differences, and a drop means a restart), gauges are the value now. The dashboard gets "dispensed per
 * second" and the switch states from here, not from scraping {@code /metrics}.
 */
public final class EdgeLiveMetrics {
    private EdgeLiveMetrics() {}

    public static String source(int edgeId) {
        return "edge-" + edgeId;
    }

    public static List<LiveMetric> snapshot(EdgeService edge, int connections, long windowEndMs) {
        EdgeMetrics m = edge.metrics();
        String source = source(edge.settings().edgeId());
        List<LiveMetric> out = new ArrayList<>();
        add(out, source, "shakes", m.shakes.sum(), windowEndMs);
        add(out, source, "dispensed", m.dispensed.sum(), windowEndMs);
        add(out, source, "nothing", m.nothing.sum(), windowEndMs);
        add(out, source, "capped", m.capped.sum(), windowEndMs);
        add(out, source, "slow_downs", m.slowDowns(), windowEndMs);
        add(out, source, "opens", m.opens.sum(), windowEndMs);
        add(out, source, "opens_enqueued", m.opensAccepted.sum(), windowEndMs);
        long rejects = 0;
        for (RejectReason r : RejectReason.values()) {
            rejects += m.rejects(r);
        }
        add(out, source, "open_rejects", rejects, windowEndMs);
        add(out, source, "final_failures", m.finalSystemFailures(), windowEndMs);
        add(out, source, "paused", edge.paused() ? 1 : 0, windowEndMs);
        add(out, source, "dispense_rate", edge.rate(), windowEndMs);
        add(out, source, "countdown_shift_ms", edge.dispenser().schedule().shiftMs(), windowEndMs);
        add(out, source, "in_flight_opens", edge.inFlightOpens(), windowEndMs);
        add(out, source, "unauthenticated", m.unauthenticatedTotal(), windowEndMs);
        add(out, source, "rate_limited", m.rateLimited(), windowEndMs);
        add(out, source, "shed_load", m.shedLoad.sum(), windowEndMs);
        add(out, source, "blacklist_skipped", m.blacklistSkipped.sum(), windowEndMs);
        add(out, source, "connections", connections, windowEndMs);
        // The acknowledgement of the control topic: every command below this offset is applied on this edge.
        add(out, source, "control_offset", edge.controlOffset(), windowEndMs);
        return out;
    }

    private static void add(List<LiveMetric> out, String source, String name, long value, long windowEndMs) {
        out.add(LiveMetric.newBuilder()
                .setSource(source)
                .setName(name)
                .setTags(new HashMap<>())
                .setValue(value)
                .setWindowEndMs(windowEndMs)
                .build());
    }
}
