package io.redpacket.edge.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.redpacket.avro.RejectReason;
import io.redpacket.edge.dispense.Dispenser;
import io.redpacket.edge.guard.ConnectionGuard;
import io.redpacket.session.SessionReject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * The edge's counters, served at /metrics in the Prometheus text exposition format by the Prometheus Java client
 * (its registry, callback metrics and text writer). Few and decisive: the final system failure count (an open that
 * still failed after the producer's retries) is kept apart from logical rejects. The request path only increments
 * LongAdders (never contended, no lock); the client reads them when /metrics is scraped.
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
    public record Gauges(
            long quotaRate,
            int inFlightOpens,
            long controlOffset,
            int connections,
            long shedPermille,
            boolean paused) {}

    private final Map<RejectReason, LongAdder> rejects = new EnumMap<>(RejectReason.class);
    private final LongAdder[] latencyBuckets = new LongAdder[LATENCY_BUCKETS_MS.length + 1];
    private final LongAdder latencySumMicros = new LongAdder();

    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.builder()
            .setIncludeCreatedTimestamps(false)
            .build();
    /** This edge's own registry (not the client's default one): several edges may live in one JVM (tests, benchmarks). */
    private final PrometheusRegistry registry = new PrometheusRegistry();
    /** What the render in progress was given; the registry's callbacks read it (renders are serialized). */
    private volatile Scrape scrape;

    /** What one render reads besides the counters: the edge id (label) and the gauges of that moment. */
    private record Scrape(String edge, Dispenser dispenser, ConnectionGuard guard, Gauges gauges) {}

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
        register();
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

    /**
     * The exposition (Prometheus text format 0.0.4, written by the Prometheus client) of every counter, gauge and the
     * Kafka latency histogram, each labelled {@code edge}. Off the hot path: one scrape at a time reads the sources it
     * is given; counting on the request path stays a LongAdder increment.
     */
    public synchronized String render(int edgeId, Dispenser dispenser, ConnectionGuard guard, Gauges g) {
        scrape = new Scrape(String.valueOf(edgeId), dispenser, guard, g);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            TEXT.write(out, registry.scrape());
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            scrape = null;
        }
    }

    private void register() {
        counter("redpacket_edge_shakes", "Shake requests answered.", shakes);
        counter("redpacket_edge_dispensed", "Envelopes handed out as tokens.", dispensed);
        counter(
                "redpacket_edge_nothing",
                "Shakes answered 'nothing this time' (no slot, no envelope, paused).",
                nothing);
        counter("redpacket_edge_capped", "Shakes refused by the per-user caps (3 per user, 1 per sponsor).", capped);
        counter(
                "redpacket_edge_slow_downs",
                "Clients told to slow down, by cause.",
                "cause",
                Map.of(
                        "quota",
                        slowDownQuota,
                        "shed_shake",
                        shedShakes,
                        "shed_open",
                        shedOpens,
                        "shed_load",
                        shedLoad));
        counter(
                "redpacket_edge_rate_limited",
                "Requests answered 429 by a per-address or per-user rate limit.",
                "scope",
                Map.of("address", rateLimitedAddress, "user", rateLimitedUser));
        counter(
                "redpacket_edge_unauthenticated",
                "Shakes and opens refused for their session credential, by reason.",
                "reason",
                byName(unauthenticated));
        counter(
                "redpacket_edge_session_checks",
                "Session checks of shakes and opens: credential remembered as authentic (time and"
                        + " device still checked), or fully verified (decode and HMAC).",
                "path",
                Map.of("remembered", sessionsRemembered, "verified", sessionsVerified));
        counter(
                "redpacket_edge_blacklist_skipped",
                "Drawn records sealed with a blacklisted key, never handed out.",
                blacklistSkipped);
        counter("redpacket_edge_wrong_method", "Requests answered 405.", wrongMethods);
        counter("redpacket_edge_control_applied", "Control topic commands applied.", controlApplied);
        counter(
                "redpacket_edge_control_ignored",
                "Control topic commands not for the edges (or not for this one) or undecodable.",
                controlIgnored);
        gauge(
                "redpacket_edge_control_offset",
                "Next control topic offset to apply: every command below it is applied.",
                s -> s.gauges().controlOffset());
        gauge(
                "redpacket_edge_connections",
                "Open connections on the public port.",
                s -> s.gauges().connections());
        gauge(
                "redpacket_edge_shed_permille",
                "Share of shakes shed for load right now, per mille.",
                s -> s.gauges().shedPermille());
        gauge(
                "redpacket_edge_paused",
                "1 while dispensing is paused.",
                s -> s.gauges().paused() ? 1 : 0);
        CounterWithCallback.builder()
                .name("redpacket_edge_connections_closed")
                .help("Connections closed by the connection guard, by cause.")
                .labelNames("edge", "cause")
                .callback(cb -> {
                    Scrape s = scrape;
                    if (s != null && s.guard() != null) {
                        ConnectionGuard guard = s.guard();
                        cb.call(guard.refusedPerAddress.sum(), s.edge(), "per_address");
                        cb.call(guard.refusedTotal.sum(), s.edge(), "total");
                        cb.call(guard.evictedIdle.sum(), s.edge(), "evicted_idle");
                        cb.call(guard.closedFirstByte.sum(), s.edge(), "first_byte_timeout");
                        cb.call(guard.closedSlowRequest.sum(), s.edge(), "request_timeout");
                        cb.call(guard.closedIdle.sum(), s.edge(), "idle_timeout");
                    }
                })
                .register(registry);
        counter("redpacket_edge_state_tampered", "Client state blobs that failed authentication.", stateTampered);
        counter("redpacket_edge_refunded", "Drawn records never handed out (dropped, to be refunded).", refunded);
        counter(
                "redpacket_edge_files_rejected",
                "Envelope files refused (manifest mismatch, unreadable).",
                filesRejected);
        counter(
                "redpacket_edge_corrupt_records",
                "Records skipped for a bad header checksum.",
                s -> s.dispenser() == null ? 0 : s.dispenser().corruptRecords());
        counter(
                "redpacket_edge_cursor_waits",
                "Dispenses that waited for a cursor reservation to reach the disk.",
                s -> s.dispenser() == null ? 0 : s.dispenser().cursorWaits());
        counter("redpacket_edge_opens", "Open requests received.", opens);
        counter(
                "redpacket_edge_opens_accepted",
                "Opens verified, durably enqueued and answered with the amount.",
                opensAccepted);
        counter(
                "redpacket_edge_opens_replayed",
                "Opens of an envelope this edge already enqueued, answered without a second event.",
                opensReplayed);
        counter(
                "redpacket_edge_open_rejects",
                "Opens rejected by local verification, by reason.",
                "reason",
                byName(rejects));
        counter("redpacket_edge_bad_requests", "Requests with missing or malformed parameters.", badRequests);
        counter("redpacket_edge_kafka_sent", "Open events acknowledged by Kafka (acks=all).", kafkaSent);
        counter(
                "redpacket_edge_kafka_failures",
                "Open events Kafka failed to take after the producer's retries.",
                kafkaFailures);
        counter(
                "redpacket_edge_final_system_failures",
                "Requests that failed after retries (not logical rejects).",
                finalSystemFailures);
        registry.register(this::kafkaLatencyHistogram);
        gauge(
                "redpacket_edge_dispense_rate_per_second",
                "Current dispense quota.",
                s -> s.gauges().quotaRate());
        gauge(
                "redpacket_edge_in_flight_opens",
                "Opens waiting for Kafka's acknowledgement.",
                s -> s.gauges().inFlightOpens());
    }

    /** The latency histogram from its LongAdder buckets (observing stays two LongAdder increments, no lock). */
    private HistogramSnapshot kafkaLatencyHistogram() {
        Scrape s = scrape;
        HistogramSnapshot.Builder h = HistogramSnapshot.builder()
                .name("redpacket_edge_kafka_send_latency_ms")
                .help("Send-to-ack latency of open events.");
        if (s == null) {
            return h.build();
        }
        double[] bounds = new double[LATENCY_BUCKETS_MS.length + 1];
        long[] counts = new long[bounds.length];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i] : Double.POSITIVE_INFINITY;
            counts[i] = latencyBuckets[i].sum();
        }
        return h.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .labels(Labels.of("edge", s.edge()))
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                        .sum(latencySumMicros.sum() / 1000.0)
                        .build())
                .build();
    }

    private void counter(String name, String help, LongAdder v) {
        counter(name, help, s -> v.sum());
    }

    private void counter(String name, String help, ToLongFunction<Scrape> v) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("edge")
                .callback(cb -> {
                    Scrape s = scrape;
                    if (s != null) {
                        cb.call(v.applyAsLong(s), s.edge());
                    }
                })
                .register(registry);
    }

    private void counter(String name, String help, String label, Map<String, LongAdder> byValue) {
        Map<String, LongAdder> sorted = new TreeMap<>(byValue);
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("edge", label)
                .callback(cb -> {
                    Scrape s = scrape;
                    if (s != null) {
                        sorted.forEach((value, n) -> cb.call(n.sum(), s.edge(), value));
                    }
                })
                .register(registry);
    }

    private void gauge(String name, String help, ToLongFunction<Scrape> v) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("edge")
                .callback(cb -> {
                    Scrape s = scrape;
                    if (s != null) {
                        cb.call(v.applyAsLong(s), s.edge());
                    }
                })
                .register(registry);
    }

    private static <E extends Enum<E>> Map<String, LongAdder> byName(Map<E, LongAdder> byEnum) {
        Map<String, LongAdder> out = new TreeMap<>();
        byEnum.forEach((k, v) -> out.put(k.name(), v));
        return out;
    }
}
