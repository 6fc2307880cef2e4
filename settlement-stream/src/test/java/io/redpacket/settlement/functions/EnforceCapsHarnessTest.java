package io.redpacket.settlement.functions;

import static io.redpacket.settlement.functions.HarnessSupport.keyedStateEntries;
import static io.redpacket.settlement.functions.HarnessSupport.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.records.SpecificRecordSerializer;
import io.redpacket.settlement.records.VerifiedOpen;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class EnforceCapsHarnessTest {
    private static final long RETAIN_UNTIL = 50_000;
    private static final Settings SETTINGS = new Settings("v", null, 0, new int[0], RETAIN_UNTIL, Map.of("coupon", 20L), 0, 2, 0);

    private static KeyedBroadcastOperatorTestHarness<String, VerifiedOpen, ControlCommand, CreditInstruction> harness() throws Exception {
        return HarnessSupport.keyedBroadcast(new EnforceCaps(SETTINGS), v -> v.userId, Types.STRING,
                new SpecificRecordSerializer<>(CreditInstruction.class), ControlState.CHANNEL_LIMITS);
    }


    @Test
    void capsHoldPerUserAndStateGoesWhenRetentionEnds() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            h.processElement(open(1, "u1", "s1", "cash", 100), 0);
            h.processElement(open(2, "u1", "s2", "cash", 100), 0);
            h.processElement(open(3, "u1", "s3", "cash", 100), 0);
            h.processElement(open(4, "u1", "s4", "cash", 100), 0);
            h.processElement(open(5, "u2", "s1", "cash", 100), 0);
            h.processElement(open(6, "u2", "s1", "cash", 100), 0);
            h.processElement(open(7, "u2", "s2", "cash", 100), 0);

            assertThat(h.extractOutputValues()).extracting(CreditInstruction::getEnvelopeId, CreditInstruction::getUserId)
                    .containsExactly(tuple(1L, "u1"), tuple(2L, "u1"), tuple(3L, "u1"), tuple(5L, "u2"), tuple(7L, "u2"));
            assertThat(h.getSideOutput(Outputs.REJECTS)).extracting(StreamRecord::getValue)
                    .extracting(RejectedOpen::getEnvelopeId, RejectedOpen::getReason)
                    .containsExactly(tuple(4L, RejectReason.USER_CAP), tuple(6L, RejectReason.SPONSOR_CAP));
            assertThat(h.getSideOutput(Outputs.TO_SHAPE)).isNull();
            assertThat(keyedStateEntries(h)).isEqualTo(2);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(2);

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aRedeliveryGetsTheAnswerItsFirstDeliveryGot() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            for (int s = 1; s <= 4; s++) {
                h.processElement(open(s, "u1", "s" + s, "cash", 100), 0);
            }
            h.processElement(open(5, "u1", "coupon-sponsor", "coupon", 10), 0);   // 5th: USER_CAP
            h.processElement(open(6, "u2", "s1", "coupon", 10), 0);               // to the shaper
            for (long id : new long[] {2, 4, 6}) {
                VerifiedOpen again = open(id, id == 6 ? "u2" : "u1", id == 6 ? "s1" : "s" + id, id == 6 ? "coupon" : "cash", 100);
                again.redelivery = true;
                h.processElement(again, 0);
            }

            assertThat(h.extractOutputValues()).extracting(CreditInstruction::getEnvelopeId).containsExactly(1L, 2L, 3L);
            assertThat(h.getSideOutput(Outputs.TO_SHAPE)).extracting(r -> r.getValue().envelopeId).containsExactly(6L);
            assertThat(h.getSideOutput(Outputs.REJECTS)).extracting(StreamRecord::getValue)
                    .extracting(RejectedOpen::getEnvelopeId, RejectedOpen::getReason)
                    .containsExactly(tuple(4L, RejectReason.USER_CAP), tuple(5L, RejectReason.USER_CAP), tuple(4L, RejectReason.USER_CAP));
        }
    }

    @Test
    void limitedChannelsGoToTheShaperAndALimitSetWhileRunningDivertsTheCashChannelToo() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            h.processElement(open(1, "u1", "s1", "coupon", 10), 0);
            h.processElement(open(2, "u2", "s1", "cash", 100), 0);
            h.processBroadcastElement(ControlCommand.newBuilder().setCommandId("c1").setIssuedAtMs(0).setOperator("ops")
                    .setAction(ControlAction.SET_CHANNEL_LIMIT).setChannel("cash").setValue(500L).build(), 0);
            h.processElement(open(3, "u3", "s1", "cash", 100), 0);

            assertThat(h.extractOutputValues()).extracting(CreditInstruction::getEnvelopeId).containsExactly(2L);
            assertThat(h.getSideOutput(Outputs.TO_SHAPE)).extracting(r -> r.getValue().envelopeId).containsExactly(1L, 3L);

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }
}
