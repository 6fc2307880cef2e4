package io.redpacket.edge.metrics;

import io.redpacket.avro.RejectReason;
import io.redpacket.edge.dispense.Dispenser;
import io.redpacket.edge.guard.ConnectionGuard;
import io.redpacket.session.SessionReject;
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

    public final LongAdder shakes = new LongAdder();
    public final LongAdder dispensed = new LongAdder();
    public final LongAdder nothing = new LongAdder();
    public final LongAdder capped = new LongAdder();
    public final LongAdder slowDownQuota = new LongAdder();
    public final LongAdder shedShakes = new LongAdder();
    public final LongAdder shedOpens = new LongAdder();
    public final LongAdder stateTampered = new LongAdder();
    public final LongAdder refunded = new LongAdder();
    public final LongAdder filesRejected = new LongAdder();
    public final LongAdder opens = new LongAdder();
    public final LongAdder opensAccepted = new LongAdder();
    public final LongAdder opensReplayed = new LongAdder();
    public final LongAdder kafkaSent = new LongAdder();
    public final LongAdder kafkaFailures = new LongAdder();
    public final LongAdder finalSystemFailures = new LongAdder();
    public final LongAdder badRequests = new LongAdder();
    /** Requests refused for the HTTP itself: wrong method (405), ambiguous framing, bad escapes. */
    public final LongAdder wrongMethods = new LongAdder();
    public final LongAdder rateLimitedAddress = new LongAdder();
    public final LongAdder rateLimitedUser = new LongAdder();
    public final LongAdder shedLoad = new LongAdder();
    /** Drawn records sealed with a blacklisted key: never handed out (their envelopes are refunded). */
    public final LongAdder blacklistSkipped = new LongAdder();
    /** Session checks answered from the table of credentials already verified, and those that ran the full verifier. */
    public final LongAdder sessionsRemembered = new LongAdder();
    public final LongAdder sessionsVerified = new LongAdder();
    public final LongAdder controlApplied = new LongAdder();
    public final LongAdder controlIgnored = new LongAdder();
    private final Map<SessionReject, LongAdder> unauthenticated = new EnumMap<>(SessionReject.class);

    /** Gauges read when rendering: dispense quota, opens waiting for Kafka, control offset, connections, shed share. */
    public record Gauges(long quotaRate, int inFlightOpens, long controlOffset, int connections, long shedPermille, boolean paused) {}
    private final Map<RejectReason, LongAdder> rejects = new EnumMap<>(RejectReason.class);
    private final LongAdder[] latencyBuckets = new LongAdder[LATENCY_BUCKETS_MS.length + 1];
    private final LongAdder latencySumMicros = new LongAdder();

    public EdgeMetrics() {
        for (RejectReason r : RejectReason.values()) {
            rejects.put(r, new LongAdder());
        }
        for (SessionReject r : SessionReject.values()) {
            unauthenticated.put(r, new LongAdder());
        }
        for (int i = 0; i < latencyBuckets.length; i++) {
            latencyBuckets[i] = new LongAdder();
        }
    }

    public void reject(RejectReason reason) {
        rejects.get(reason).increment();
    }

    public void unauthenticated(SessionReject reason) {
        unauthenticated.get(reason).increment();
    }

    public long unauthenticatedTotal() {
        return unauthenticated.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long unauthenticatedOf(SessionReject reason) {
        return unauthenticated.get(reason).sum();
    }

    public long rateLimited() {
        return rateLimitedAddress.sum() + rateLimitedUser.sum();
    }

    public void kafkaLatency(long nanos) {
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
        return slowDownQuota.sum() + shedShakes.sum() + shedOpens.sum() + shedLoad.sum();
    }

    public String render(int edgeId, Dispenser dispenser, ConnectionGuard guard, Gauges g) {
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
        line(sb, "redpacket_edge_slow_downs_total", edge + ",cause=\"shed_load\"", shedLoad.sum());
        header(sb, "redpacket_edge_rate_limited_total", "Requests answered 429 by a per-address or per-user rate limit.", "counter");
        line(sb, "redpacket_edge_rate_limited_total", edge + ",scope=\"address\"", rateLimitedAddress.sum());
        line(sb, "redpacket_edge_rate_limited_total", edge + ",scope=\"user\"", rateLimitedUser.sum());
        header(sb, "redpacket_edge_unauthenticated_total", "Shakes and opens refused for their session credential, by reason.", "counter");
        unauthenticated.forEach((r, n) -> line(sb, "redpacket_edge_unauthenticated_total", edge + ",reason=\"" + r + "\"", n.sum()));
        header(sb, "redpacket_edge_session_checks_total", "Session checks of shakes and opens: credential remembered as authentic (time and"
                + " device still checked), or fully verified (decode and HMAC).", "counter");
        line(sb, "redpacket_edge_session_checks_total", edge + ",path=\"remembered\"", sessionsRemembered.sum());
        line(sb, "redpacket_edge_session_checks_total", edge + ",path=\"verified\"", sessionsVerified.sum());
        counter(sb, "redpacket_edge_blacklist_skipped_total", "Drawn records sealed with a blacklisted key, never handed out.", edge, blacklistSkipped);
        counter(sb, "redpacket_edge_wrong_method_total", "Requests answered 405.", edge, wrongMethods);
        counter(sb, "redpacket_edge_control_applied_total", "Control topic commands applied.", edge, controlApplied);
        counter(sb, "redpacket_edge_control_ignored_total", "Control topic commands not for the edges (or not for this one) or undecodable.", edge, controlIgnored);
        header(sb, "redpacket_edge_control_offset", "Next control topic offset to apply: every command below it is applied.", "gauge");
        line(sb, "redpacket_edge_control_offset", edge, g.controlOffset());
        header(sb, "redpacket_edge_connections", "Open connections on the public port.", "gauge");
        line(sb, "redpacket_edge_connections", edge, g.connections());
        header(sb, "redpacket_edge_shed_permille", "Share of shakes shed for load right now, per mille.", "gauge");
        line(sb, "redpacket_edge_shed_permille", edge, g.shedPermille());
        header(sb, "redpacket_edge_paused", "1 while dispensing is paused.", "gauge");
        line(sb, "redpacket_edge_paused", edge, g.paused() ? 1 : 0);
        if (guard != null) {
            header(sb, "redpacket_edge_connections_closed_total", "Connections closed by the connection guard, by cause.", "counter");
            line(sb, "redpacket_edge_connections_closed_total", edge + ",cause=\"per_address\"", guard.refusedPerAddress.sum());
            line(sb, "redpacket_edge_connections_closed_total", edge + ",cause=\"total\"", guard.refusedTotal.sum());
            line(sb, "redpacket_edge_connections_closed_total", edge + ",cause=\"evicted_idle\"", guard.evictedIdle.sum());
            line(sb, "redpacket_edge_connections_closed_total", edge + ",cause=\"first_byte_timeout\"", guard.closedFirstByte.sum());
            line(sb, "redpacket_edge_connections_closed_total", edge + ",cause=\"request_timeout\"", guard.closedSlowRequest.sum());
            line(sb, "redpacket_edge_connections_closed_total", edge + ",cause=\"idle_timeout\"", guard.closedIdle.sum());
        }
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
        line(sb, "redpacket_edge_dispense_rate_per_second", edge, g.quotaRate());
        header(sb, "redpacket_edge_in_flight_opens", "Opens waiting for Kafka's acknowledgement.", "gauge");
        line(sb, "redpacket_edge_in_flight_opens", edge, g.inFlightOpens());
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
