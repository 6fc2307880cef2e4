package io.redpacket.edge.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.RejectReason;
import io.redpacket.session.SessionReject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exposition written by the Prometheus client, parsed back: every name, label, type and value the edge publishes. */
class EdgeMetricsTest {
    private static final String[] COUNTERS = {
        "shakes",
        "dispensed",
        "nothing",
        "capped",
        "blacklist_skipped",
        "wrong_method",
        "control_applied",
        "control_ignored",
        "state_tampered",
        "refunded",
        "files_rejected",
        "corrupt_records",
        "cursor_waits",
        "opens",
        "opens_accepted",
        "opens_replayed",
        "bad_requests",
        "kafka_sent",
        "kafka_failures",
        "final_system_failures"
    };

    @Test
    void everyCounterGaugeAndTheLatencyHistogramReadBackWithTheirNamesLabelsAndValues() {
        EdgeMetrics m = new EdgeMetrics();
        m.shakes.add(1_234_567_890_123L);
        m.dispensed.add(7);
        m.slowDownQuota.add(2);
        m.shedShakes.add(3);
        m.shedLoad.add(4);
        m.rateLimitedUser.add(5);
        m.sessionsRemembered.add(6);
        m.reject(RejectReason.BLACKLISTED_KEY);
        m.unauthenticated(SessionReject.EXPIRED);
        m.unauthenticated(SessionReject.EXPIRED);
        m.kafkaLatency(1_500_000); // 1 ms as counted (whole ms): le=1
        m.kafkaLatency(7_000_000); // le=10
        m.kafkaLatency(40_000_000_000L); // beyond 30 s: +Inf only
        String text = m.render(7, null, null, new EdgeMetrics.Gauges(10, 2, 3, 4, 5, true));
        PrometheusText p = PrometheusText.parse(text);

        for (String c : COUNTERS) {
            assertThat(p.types).containsEntry("redpacket_edge_" + c + "_total", "counter");
            assertThat(p.help.get("redpacket_edge_" + c + "_total")).isNotBlank();
        }
        assertThat(p.count("redpacket_edge_shakes_total", "edge", "7")).isEqualTo(1_234_567_890_123L);
        assertThat(p.count("redpacket_edge_dispensed_total", "edge", "7")).isEqualTo(7);
        assertThat(p.count("redpacket_edge_opens_total", "edge", "7")).isZero();
        assertThat(Map.of("quota", 2L, "shed_shake", 3L, "shed_open", 0L, "shed_load", 4L))
                .allSatisfy((cause, n) -> assertThat(
                                p.count("redpacket_edge_slow_downs_total", "edge", "7", "cause", cause))
                        .isEqualTo(n));
        assertThat(p.count("redpacket_edge_rate_limited_total", "edge", "7", "scope", "address"))
                .isZero();
        assertThat(p.count("redpacket_edge_rate_limited_total", "edge", "7", "scope", "user"))
                .isEqualTo(5);
        assertThat(p.count("redpacket_edge_session_checks_total", "edge", "7", "path", "remembered"))
                .isEqualTo(6);
        assertThat(p.count("redpacket_edge_session_checks_total", "edge", "7", "path", "verified"))
                .isZero();
        for (RejectReason r : RejectReason.values()) {
            assertThat(p.count("redpacket_edge_open_rejects_total", "edge", "7", "reason", r.name()))
                    .isEqualTo(r == RejectReason.BLACKLISTED_KEY ? 1 : 0);
        }
        for (SessionReject r : SessionReject.values()) {
            assertThat(p.count("redpacket_edge_unauthenticated_total", "edge", "7", "reason", r.name()))
                    .isEqualTo(r == SessionReject.EXPIRED ? 2 : 0);
        }

        assertThat(Map.of(
                        "control_offset",
                        3L,
                        "connections",
                        4L,
                        "shed_permille",
                        5L,
                        "paused",
                        1L,
                        "dispense_rate_per_second",
                        10L,
                        "in_flight_opens",
                        2L))
                .allSatisfy((g, n) -> {
                    assertThat(p.types).containsEntry("redpacket_edge_" + g, "gauge");
                    assertThat(p.count("redpacket_edge_" + g, "edge", "7")).isEqualTo(n);
                });

        String h = "redpacket_edge_kafka_send_latency_ms";
        assertThat(p.types).containsEntry(h, "histogram");
        assertThat(p.count(h + "_bucket", "edge", "7", "le", "1.0")).isEqualTo(1);
        assertThat(p.count(h + "_bucket", "edge", "7", "le", "5.0")).isEqualTo(1);
        assertThat(p.count(h + "_bucket", "edge", "7", "le", "10.0")).isEqualTo(2);
        assertThat(p.count(h + "_bucket", "edge", "7", "le", "30000.0")).isEqualTo(2);
        assertThat(p.count(h + "_bucket", "edge", "7", "le", "+Inf")).isEqualTo(3);
        assertThat(p.count(h + "_count", "edge", "7")).isEqualTo(3);
        assertThat(p.value(h + "_sum", "edge", "7")).isEqualTo(40_008.5);
        assertThat(p.samples.keySet().stream().filter(k -> k.startsWith(h + "_bucket{")))
                .hasSize(EdgeMetrics.LATENCY_BUCKETS_MS.length + 1);

        // Without a connection guard (embedded tests) its family is left out; every sample carries edge="7".
        assertThat(p.types).doesNotContainKey("redpacket_edge_connections_closed_total");
        assertThat(p.samples.keySet()).allMatch(k -> k.contains("edge=\"7\""));
        assertThat(p.samples.keySet().stream()
                        .map(k -> k.substring(0, k.indexOf('{')))
                        .map(p::family)
                        .distinct())
                .hasSize(COUNTERS.length + 5 + 6 + 1); // plain and labelled counters, gauges, the histogram
    }

    @Test
    void theSameCountersRenderForAnotherEdgeIdAndOnlyGrow() {
        EdgeMetrics m = new EdgeMetrics();
        EdgeMetrics.Gauges g = new EdgeMetrics.Gauges(1, 0, 0, 0, 0, false);
        m.opens.increment();
        assertThat(PrometheusText.parse(m.render(1, null, null, g)).count("redpacket_edge_opens_total", "edge", "1"))
                .isEqualTo(1);
        m.opens.increment();
        PrometheusText second = PrometheusText.parse(m.render(2, null, null, g));
        assertThat(second.count("redpacket_edge_opens_total", "edge", "2")).isEqualTo(2);
        assertThat(second.value("redpacket_edge_opens_total", "edge", "1")).isNull();
        assertThat(second.count("redpacket_edge_paused", "edge", "2")).isZero();
    }
}
