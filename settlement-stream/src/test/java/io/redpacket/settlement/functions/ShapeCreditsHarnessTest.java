package io.redpacket.settlement.functions;

import static io.redpacket.settlement.functions.HarnessSupport.keyedStateEntries;
import static io.redpacket.settlement.functions.HarnessSupport.open;
import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.records.SpecificRecordSerializer;
import io.redpacket.settlement.records.VerifiedOpen;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ShapeCreditsHarnessTest {
    private static final Settings SETTINGS =
            new Settings("v", null, 0, new int[0], Long.MAX_VALUE, Map.of("coupon", 20L), 0, 2, 0);

    private static KeyedBroadcastOperatorTestHarness<String, VerifiedOpen, ControlCommand, CreditInstruction> harness()
            throws Exception {
        return HarnessSupport.keyedBroadcast(
                new ShapeCredits(SETTINGS),
                v -> SETTINGS.shapingKey(v.channel, v.envelopeId),
                Types.STRING,
                new SpecificRecordSerializer<>(CreditInstruction.class),
                ControlState.CHANNEL_LIMITS);
    }

    @Test
    void excessWaitsAndIsReleasedInArrivalOrderAtTheLimitThenStateIsGone() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            for (int i = 0; i < 7; i++) {
                h.processElement(open(i, "u" + i, "s5", "coupon", 10), 0);
            }
            assertThat(h.extractOutputValues()).hasSize(2);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
            for (long t = 1_100; t <= 1_400; t += 100) {
                h.setProcessingTime(t);
            }
            List<CreditInstruction> credits = h.extractOutputValues();
            assertThat(credits)
                    .extracting(CreditInstruction::getEnvelopeId)
                    .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            Map<Long, Integer> perBucket = new TreeMap<>();
            credits.forEach(c -> perBucket.merge(c.getCreditTimeMs() / 100, 1, Integer::sum));
            assertThat(perBucket)
                    .containsExactly(Map.entry(10L, 2), Map.entry(11L, 2), Map.entry(12L, 2), Map.entry(13L, 1));
            assertThat(h.getSideOutput(Outputs.BACKLOG)).isNotEmpty();
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void unshapedChannelsPassStraightThroughWithoutState() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            for (int i = 0; i < 100; i++) {
                h.processElement(open(i, "u" + i, "s1", "cash", 10), 0);
            }
            assertThat(h.extractOutputValues()).hasSize(100);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aLimitSetOnTheShardedCashChannelIsSplitBetweenItsTwoShards() throws Exception {
        try (var h = harness()) {
            h.processBroadcastElement(
                    ControlCommand.newBuilder()
                            .setCommandId("c2")
                            .setIssuedAtMs(0)
                            .setOperator("ops")
                            .setAction(ControlAction.SET_CHANNEL_LIMIT)
                            .setChannel("cash")
                            .setValue(40L)
                            .build(),
                    0);
            h.setProcessingTime(3_000);
            for (int i = 0; i < 20; i++) {
                h.processElement(open(i, "u" + i, "s1", "cash", 10), 0);
            }
            // 20/s per shard = 2 per 100 ms in each of the two shards
            assertThat(h.extractOutputValues()).hasSize(4);
            for (long t = 3_100; t <= 3_600; t += 100) {
                h.setProcessingTime(t);
            }
            assertThat(h.extractOutputValues()).hasSize(20);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aLimitSetThroughTheControlTopicTakesEffect() throws Exception {
        try (var h = harness()) {
            h.processBroadcastElement(
                    ControlCommand.newBuilder()
                            .setCommandId("c1")
                            .setIssuedAtMs(0)
                            .setOperator("ops")
                            .setAction(ControlAction.SET_CHANNEL_LIMIT)
                            .setChannel("coupon")
                            .setValue(50L)
                            .build(),
                    0);
            h.setProcessingTime(2_000);
            for (int i = 0; i < 12; i++) {
                h.processElement(open(i, "u" + i, "s5", "coupon", 10), 0);
            }
            assertThat(h.extractOutputValues()).hasSize(5);
            h.setProcessingTime(2_100);
            h.setProcessingTime(2_200);
            assertThat(h.extractOutputValues()).hasSize(12);
            h.setProcessingTime(2_300);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }
}
