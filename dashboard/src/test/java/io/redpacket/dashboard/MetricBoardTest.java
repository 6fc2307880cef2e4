package io.redpacket.dashboard;

import static io.redpacket.dashboard.Samples.T0;
import static io.redpacket.dashboard.Samples.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** From LiveMetric records to what the page shows: rates, sums over edges, restarts, gauges, progress. */
class MetricBoardTest {
    final MetricBoard board = new MetricBoard(Samples.plan(), 60);

    private JsonNode point(ObjectNode view, long second) {
        for (JsonNode p : view.get("points")) {
            if (p.get("t").asLong() == second) {
                return p;
            }
        }
        throw new AssertionError("no point for second " + second + " in " + view.get("points"));
    }

    @Test
    void cumulativeCountersBecomeRatesPerSecondAndEdgesAreSummed() {
        long t = T0 + 10_000;
        board.accept(metric("settlement", "opens", 100, t));
        board.accept(metric("settlement", "opens", 130, t + 1000));
        board.accept(metric("settlement", "opens", 190, t + 3000)); // a gap of two seconds: 30/s
        board.accept(metric("edge-1", "dispensed", 50, t + 400));
        board.accept(metric("edge-2", "dispensed", 70, t + 700));
        board.accept(metric("edge-1", "dispensed", 62, t + 1400));
        board.accept(metric("edge-2", "dispensed", 78, t + 1700));

        ObjectNode v = board.view(Long.MIN_VALUE, t + 4000);
        long sec = (t + 1000) / 1000;
        assertThat(point(v, sec).get("opens").asLong()).isEqualTo(30);
        assertThat(point(v, sec).get("dispensed").asLong()).isEqualTo(12 + 8);
        assertThat(point(v, sec + 2).get("opens").asLong()).isEqualTo(30);
        assertThat(v.get("totals").get("opens").asLong()).isEqualTo(190);
        assertThat(v.get("totals").get("dispensed").asLong()).isEqualTo(62 + 78);
        // The first sample of a series has nothing to differ from: no rate for it.
        assertThat(point(v, t / 1000).has("opens")).isFalse();
    }

    @Test
    void aCounterThatDropsRestartedAndItsTotalCarriesOver() {
        board.accept(metric("settlement", "credits", 500, T0));
        board.accept(metric("settlement", "credits", 520, T0 + 1000));
        board.accept(metric("settlement", "credits", 7, T0 + 2000)); // the job restarted, counting from 0
        board.accept(metric("settlement", "credits", 17, T0 + 3000));
        ObjectNode v = board.view(Long.MIN_VALUE, T0 + 3000);
        assertThat(point(v, T0 / 1000 + 2).get("credits").asLong()).isEqualTo(7);
        assertThat(point(v, T0 / 1000 + 3).get("credits").asLong()).isEqualTo(10);
        assertThat(v.get("totals").get("credits").asLong()).isEqualTo(520 + 17);
    }

    @Test
    void liveFraudFlagsAreTotalledForTheirCard() {
        board.accept(metric("settlement", "flags", 1, T0 + 1000));
        board.accept(metric("settlement", "flagged_accounts", 4, T0 + 1000));
        board.accept(metric("settlement", "flagged_opened_fen", 1_234, T0 + 1000));
        board.accept(metric("settlement", "flags", 2, T0 + 2000));
        board.accept(metric("settlement", "flagged_accounts", 5, T0 + 2000));
        ObjectNode v = board.view(Long.MIN_VALUE, T0 + 2000);
        assertThat(v.get("totals").get("flags").asLong()).isEqualTo(2);
        assertThat(v.get("totals").get("flagged_accounts").asLong()).isEqualTo(5);
        assertThat(v.get("totals").get("flagged_opened_fen").asLong()).isEqualTo(1_234);
    }

    @Test
    void lateAndRepeatedRecordsAreIgnored() {
        board.accept(metric("settlement", "opens", 10, T0 + 1000));
        board.accept(metric("settlement", "opens", 20, T0 + 2000));
        board.accept(metric("settlement", "opens", 20, T0 + 2000)); // delivered twice
        board.accept(metric("settlement", "opens", 15, T0 + 1500)); // late
        ObjectNode v = board.view(Long.MIN_VALUE, T0 + 2000);
        assertThat(point(v, T0 / 1000 + 2).get("opens").asLong()).isEqualTo(10);
        assertThat(v.get("totals").get("opens").asLong()).isEqualTo(20);
    }

    @Test
    void backlogIsSummedPerChannelOverShapingKeysAndLatencyAndRejectsAreShown() {
        long t = T0 + 5000;
        board.accept(metric("settlement", "backlog", Map.of("channel", "cash#0"), 40, t));
        board.accept(metric("settlement", "backlog", Map.of("channel", "cash#1"), 2, t));
        board.accept(metric("settlement", "backlog", Map.of("channel", "coupon-travel"), 900, t));
        board.accept(metric("settlement", "latency_p99_ms", 850, t));
        board.accept(metric("settlement", "latency_p50_ms", 120, t));
        board.accept(metric("settlement", "rejects", Map.of("reason", "USER_CAP"), 4, t));
        board.accept(metric("settlement", "rejects", Map.of("reason", "BLACKLISTED_KEY"), 9, t));
        board.accept(metric("settlement", "final_failures", 1, t));
        board.accept(metric("edge-2", "final_failures", 2, t));
        ObjectNode v = board.view(Long.MIN_VALUE, t);
        assertThat(v.get("backlog").get("cash").asLong()).isEqualTo(42);
        assertThat(v.get("backlog").get("coupon-travel").asLong()).isEqualTo(900);
        assertThat(point(v, t / 1000).get("backlog").get("cash").asLong()).isEqualTo(42);
        assertThat(point(v, t / 1000).get("latency_p99_ms").asLong()).isEqualTo(850);
        assertThat(v.get("latency").get("latency_p50_ms").asLong()).isEqualTo(120);
        assertThat(v.get("rejectsByReason").get("BLACKLISTED_KEY").asLong()).isEqualTo(9);
        assertThat(v.get("rejectsByReason").get("USER_CAP").asLong()).isEqualTo(4);
        assertThat(v.get("finalFailures").get("total").asLong()).isEqualTo(3);
    }

    @Test
    void edgesShowTheirSwitchStatesAndFallSilentWhenNotHeardFrom() {
        board.accept(metric("edge-1", "paused", 1, T0));
        board.accept(metric("edge-1", "dispense_rate", 2000, T0));
        board.accept(metric("edge-1", "control_offset", 7, T0));
        board.accept(metric("edge-1", "countdown_shift_ms", -5000, T0));
        JsonNode edge = board.view(Long.MIN_VALUE, T0 + 1000).get("edges").get(0);
        assertThat(edge.get("source").asText()).isEqualTo("edge-1");
        assertThat(edge.get("paused").asBoolean()).isTrue();
        assertThat(edge.get("controlOffset").asLong())
                .as("the edge's acknowledgement of the control topic")
                .isEqualTo(7);
        assertThat(edge.get("dispenseRate").asLong()).isEqualTo(2000);
        assertThat(edge.get("silent").asBoolean()).isFalse();
        assertThat(board.view(Long.MIN_VALUE, T0 + MetricBoard.STALE_MS + 1)
                        .get("edges")
                        .get(0)
                        .get("silent")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void progressPerSponsorAndSlotFollowsTheShiftedTimeAxis() {
        long shift = 1_000_000; // the operators moved the show 1000 s later
        board.accept(metric("edge-1", "countdown_shift_ms", shift, T0));
        long inS1 = T0 + shift + 30_000;
        long inS2 = T0 + shift + 90_000;
        board.accept(metric("settlement", "credited_fen", Map.of("sponsor", "SP1"), 0, T0 + shift - 1000));
        board.accept(metric("settlement", "credited_fen", Map.of("sponsor", "SP1"), 40_000, inS1));
        board.accept(metric(
                "settlement",
                "credited_fen",
                Map.of("sponsor", "SP1"),
                41_000,
                T0 + shift + 61_000)); // by credit time: s2 had started
        board.accept(metric("settlement", "credited_fen", Map.of("sponsor", "SP1"), 141_000, inS2));
        board.accept(metric("settlement", "credited_fen", Map.of("sponsor", "SP2"), 5_000, inS2));

        ObjectNode v = board.view(Long.MIN_VALUE, inS2);
        JsonNode sp1 = v.get("sponsors").get(0);
        assertThat(sp1.get("id").asText()).isEqualTo("SP1");
        assertThat(sp1.get("name").asText()).isEqualTo("Acme Dairy");
        assertThat(sp1.get("budgetFen").asLong()).isEqualTo(400_000);
        assertThat(sp1.get("creditedFen").asLong()).isEqualTo(141_000);
        // s1 done (100,000) + half of s2 (150,000).
        assertThat(sp1.get("scriptedFen").asLong()).isEqualTo(250_000);
        assertThat(v.get("sponsors").get(1).get("name").asText()).isEqualTo("SP2");

        JsonNode s1 = v.get("slots").get(0);
        JsonNode s2 = v.get("slots").get(1);
        assertThat(s1.get("state").asText()).isEqualTo("done");
        assertThat(s2.get("state").asText()).isEqualTo("running");
        assertThat(s1.get("startMs").asLong()).isEqualTo(T0 + shift);
        assertThat(s1.get("budgetFen").asLong()).isEqualTo(100_000);
        assertThat(s2.get("budgetFen").asLong()).isEqualTo(350_000);
        assertThat(s1.get("creditedFen").asLong()).isEqualTo(40_000);
        assertThat(s2.get("creditedFen").asLong()).isEqualTo(1_000 + 100_000 + 5_000);
        assertThat(s2.get("bySponsor").get("SP2").get("creditedFen").asLong()).isEqualTo(5_000);
    }

    @Test
    void keepsABoundedWindowOfSecondsAndUpdatesCarryOnlyTheLatest() {
        for (int i = 0; i <= 200; i++) {
            board.accept(metric("settlement", "opens", i * 10L, T0 + i * 1000L));
        }
        ObjectNode all = board.view(Long.MIN_VALUE, T0 + 200_000);
        assertThat(all.get("points").size()).isBetween(60, 61);
        assertThat(board.view(board.latestSecond() - 10, T0 + 200_000)
                        .get("points")
                        .size())
                .isEqualTo(10);
        assertThatThrownBy(() -> new MetricBoard(Samples.plan(), 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
