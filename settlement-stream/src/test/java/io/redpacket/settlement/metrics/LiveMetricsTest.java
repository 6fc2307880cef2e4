package io.redpacket.settlement.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.LiveMetric;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.settlement.functions.Outputs;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LiveMetricsTest {
    @Test
    void talliesFromParallelInstancesAddUpAndRenderWithTags() {
        MetricTally a = new MetricTally();
        MetricTally b = new MetricTally();
        Tallier.credits().add(credit("s1", 100, 10, 30), a, 0);
        Tallier.credits().add(credit("s2", 250, 10, 20), b, 0);
        Tallier.credits().add(credit("s1", 5, 10, 15), b, 0);
        Tallier.rejects().add(reject(RejectReason.USER_CAP, "cap"), a, 0);
        Tallier.rejects().add(reject(RejectReason.MALFORMED_TOKEN, Outputs.FINAL_FAILURE + "x"), b, 0);
        MetricTally backlog = new MetricTally();
        backlog.gauge(MetricTally.tagged("backlog", "channel", "coupon"), 42);

        LiveMetrics m = new LiveMetrics();
        m.merge(a);
        m.merge(b);
        m.merge(backlog);
        List<LiveMetric> out = m.emit(9_000);
        Map<String, Long> byKey =
                out.stream().collect(Collectors.toMap(x -> x.getName() + x.getTags(), LiveMetric::getValue));
        assertThat(byKey)
                .containsEntry("credits{}", 3L)
                .containsEntry("credited_fen{}", 355L)
                .containsEntry("credited_fen{sponsor=s1}", 105L)
                .containsEntry("credited_fen{sponsor=s2}", 250L)
                .containsEntry("rejects{reason=USER_CAP}", 1L)
                .containsEntry("final_failures{}", 1L)
                .containsEntry("backlog{channel=coupon}", 42L)
                .containsEntry("latency_p50_ms{}", 10L)
                .containsEntry("latency_p99_ms{}", 20L);
        assertThat(out).allSatisfy(x -> assertThat(x.getWindowEndMs()).isEqualTo(9_000));
        // percentiles cover one window; counters stay cumulative
        List<LiveMetric> next = m.emit(10_000);
        assertThat(next).noneMatch(x -> x.getName().startsWith("latency"));
        assertThat(next).anyMatch(x -> x.getName().equals("credits") && x.getValue() == 3);
    }

    private static CreditInstruction credit(String sponsor, long fen, long openMs, long creditMs) {
        return CreditInstruction.newBuilder()
                .setCreditId("c")
                .setEnvelopeId(1)
                .setUserId("u")
                .setAmountFen(fen)
                .setBatchId(1)
                .setSponsorId(sponsor)
                .setEnvelopeAccount("a")
                .setChannel("cash")
                .setOpenEventId("e")
                .setEdgeId(1)
                .setOpenTimeMs(openMs)
                .setCreditTimeMs(creditMs)
                .build();
    }

    private static RejectedOpen reject(RejectReason reason, String detail) {
        return RejectedOpen.newBuilder()
                .setOpenEventId("e")
                .setReason(reason)
                .setDetail(detail)
                .setUserId("u")
                .setDeviceId("d")
                .setIp("i")
                .setEdgeId(1)
                .setOpenTimeMs(0)
                .setRejectTimeMs(0)
                .build();
    }
}
