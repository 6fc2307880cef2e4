package io.redpacket.edge;

import io.redpacket.avro.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The edge's counters in Prometheus text exposition format (served at /metrics). Few and decisive: the final
 * system failure count (an open that still failed after the producer's retries) is kept apart from logical
 * rejects. LongAdders so the hot path never contends.
 */
public final class EdgeMetrics {
    static final long[] LATENCY_BUCKETS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000};

    final LongAdder shakes = new LongAdder();
    final LongAdder dispensed = new LongAdder();
    final LongAdder nothing = new LongAdder();
    final LongAdder capped = new LongAdder();
    final LongAdder slowDownQuota = new LongAdder();
    final LongAdder shedShakes = new LongAdder();
    final LongAdder shedOpens = new LongAdder();
    final LongAdder stateTampered = new LongAdder();
    final LongAdder refunded = new LongAdder();
    final LongAdder filesRejected = new LongAdder();
    final LongAdder opens = new LongAdder();
    final LongAdder opensAccepted = new LongAdder();
    final LongAdder opensReplayed = new LongAdder();
    final LongAdder kafkaSent = new LongAdder();
    final LongAdder kafkaFailures = new LongAdder();
    final LongAdder finalSystemFailures = new LongAdder();
    final LongAdder badRequests = new LongAdder();
    private final Map<RejectReason, LongAdder> rejects = new EnumMap<>(RejectReason.class);
    private final LongAdder[] latencyBuckets = new LongAdder[LATENCY_BUCKETS_MS.length + 1];
    private final LongAdder latencySumMicros = new LongAdder();

    public EdgeMetrics() {
        for (RejectReason r : RejectReason.values()) {
            rejects.put(r, new LongAdder());
        }
        for (int i = 0; i < latencyBuckets.length; i++) {
            latencyBuckets[i] = new LongAdder();
        }
    }

    void reject(RejectReason reason) {
        rejects.get(reason).increment();
    }

    void kafkaLatency(long nanos) {
        long ms = nanos / 1_000_000;
        int i = 0;
        while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]) {
            i++;
        }
        latencyBuckets[i].increment();
        latencySumMicros.add(nanos / 1000);
    }

    public long rejects(RejectReason reason) {
        return rejects.get(reason).sum();
    }

    public long dispensed() {
        return dispensed.sum();
    }

    public long finalSystemFailures() {
        return finalSystemFailures.sum();
    }

    public long slowDowns() {
        return slowDownQuota.sum() + shedShakes.sum() + shedOpens.sum();
    }

    public String render(int edgeId, Dispenser dispenser, long quotaRate, int inFlight) {
        StringBuilder sb = new StringBuilder(4096);
        String edge = "edge=\"" + edgeId + "\"";
        counter(sb, "redpacket_edge_shakes_total", "Shake requests answered.", edge, shakes);
        counter(sb, "redpacket_edge_dispensed_total", "Envelopes handed out as tokens.", edge, dispensed);
        counter(sb, "redpacket_edge_nothing_total", "Shakes answered 'nothing this time' (no slot, no envelope, paused).", edge, nothing);
        counter(sb, "redpacket_edge_capped_total", "Shakes refused by the per-user caps (3 per user, 1 per sponsor).", edge, capped);
        header(sb, "redpacket_edge_slow_downs_total", "Clients told to slow down, by cause.", "counter");
        line(sb, "redpacket_edge_slow_downs_total", edge + ",cause=\"quota\"", slowDownQuota.sum());
        line(sb, "redpacket_edge_slow_downs_total", edge + ",cause=\"shed_shake\"", shedShakes.sum());
        line(sb, "redpacket_edge_slow_downs_total", edge + ",cause=\"shed_open\"", shedOpens.sum());
        counter(sb, "redpacket_edge_state_tampered_total", "Client state blobs that failed authentication.", edge, stateTampered);
        counter(sb, "redpacket_edge_refunded_total", "Drawn records never handed out (dropped, to be refunded).", edge, refunded);
        counter(sb, "redpacket_edge_files_rejected_total", "Envelope files refused (manifest mismatch, unreadable).", edge, filesRejected);
        header(sb, "redpacket_edge_corrupt_records_total", "Records skipped for a bad header checksum.", "counter");
        line(sb, "redpacket_edge_corrupt_records_total", edge, dispenser == null ? 0 : dispenser.corruptRecords());
        header(sb, "redpacket_edge_cursor_waits_total", "Dispenses that waited for a cursor reservation to reach the disk.", "counter");
        line(sb, "redpacket_edge_cursor_waits_total", edge, dispenser == null ? 0 : dispenser.cursorWaits());
        counter(sb, "redpacket_edge_opens_total", "Open requests received.", edge, opens);
        counter(sb, "redpacket_edge_opens_accepted_total", "Opens verified, durably enqueued and answered with the amount.", edge, opensAccepted);
        counter(sb, "redpacket_edge_opens_replayed_total", "Opens of an envelope this edge already enqueued, answered without a second event.", edge, opensReplayed);
        header(sb, "redpacket_edge_open_rejects_total", "Opens rejected by local verification, by reason.", "counter");
        rejects.forEach((r, n) -> line(sb, "redpacket_edge_open_rejects_total", edge + ",reason=\"" + r + "\"", n.sum()));
        counter(sb, "redpacket_edge_bad_requests_total", "Requests with missing or malformed parameters.", edge, badRequests);
        counter(sb, "redpacket_edge_kafka_sent_total", "Open events acknowledged by Kafka (acks=all).", edge, kafkaSent);
        counter(sb, "redpacket_edge_kafka_failures_total", "Open events Kafka failed to take after the producer's retries.", edge, kafkaFailures);
        counter(sb, "redpacket_edge_final_system_failures_total", "Requests that failed after retries (not logical rejects).", edge, finalSystemFailures);
        header(sb, "redpacket_edge_kafka_send_latency_ms", "Send-to-ack latency of open events.", "histogram");
        long cumulative = 0;
        for (int i = 0; i < LATENCY_BUCKETS_MS.length; i++) {
            cumulative += latencyBuckets[i].sum();
            line(sb, "redpacket_edge_kafka_send_latency_ms_bucket", edge + ",le=\"" + LATENCY_BUCKETS_MS[i] + "\"", cumulative);
        }
        cumulative += latencyBuckets[LATENCY_BUCKETS_MS.length].sum();
        line(sb, "redpacket_edge_kafka_send_latency_ms_bucket", edge + ",le=\"+Inf\"", cumulative);
        sb.append("redpacket_edge_kafka_send_latency_ms_sum{").append(edge).append("} ").append(latencySumMicros.sum() / 1000.0).append('\n');
        line(sb, "redpacket_edge_kafka_send_latency_ms_count", edge, cumulative);
        header(sb, "redpacket_edge_dispense_rate_per_second", "Current dispense quota.", "gauge");
        line(sb, "redpacket_edge_dispense_rate_per_second", edge, quotaRate);
        header(sb, "redpacket_edge_in_flight_opens", "Opens waiting for Kafka's acknowledgement.", "gauge");
        line(sb, "redpacket_edge_in_flight_opens", edge, inFlight);
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, String labels, LongAdder v) {
        header(sb, name, help, "counter");
        line(sb, name, labels, v.sum());
    }

    private static void header(StringBuilder sb, String name, String help, String type) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void line(StringBuilder sb, String name, String labels, long value) {
        sb.append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }
}
