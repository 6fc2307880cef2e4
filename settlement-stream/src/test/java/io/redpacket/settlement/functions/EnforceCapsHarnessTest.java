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
    private static final Settings SETTINGS =
            new Settings("v", null, 0, new int[0], RETAIN_UNTIL, Map.of("coupon", 20L), 0, 2, 0);

    private static KeyedBroadcastOperatorTestHarness<String, VerifiedOpen, ControlCommand, CreditInstruction> harness()
            throws Exception {
        return HarnessSupport.keyedBroadcast(
                new EnforceCaps(SETTINGS).operator(),
                v -> v.userId,
                Types.STRING,
                new SpecificRecordSerializer<>(CreditInstruction.class));
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

            assertThat(h.extractOutputValues())
                    .extracting(CreditInstruction::getEnvelopeId, CreditInstruction::getUserId)
                    .containsExactly(
                            tuple(1L, "u1"), tuple(2L, "u1"), tuple(3L, "u1"), tuple(5L, "u2"), tuple(7L, "u2"));
            assertThat(h.getSideOutput(Outputs.REJECTS))
                    .extracting(StreamRecord::getValue)
                    .extracting(RejectedOpen::getEnvelopeId, RejectedOpen::getReason)
                    .containsExactly(tuple(4L, RejectReason.USER_CAP), tuple(6L, RejectReason.SPONSOR_CAP));
            assertThat(h.getSideOutput(Outputs.TO_SHAPE)).isNull();
            assertThat(keyedStateEntries(h)).isEqualTo(2);
            assertThat(h.numProcessingTimeTimers()).as("no timer per user").isZero();

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();

            // after retention nothing is credited and no state is created
            h.processElement(open(8, "u3", "s1", "cash", 100), 0);
            assertThat(h.extractOutputValues()).hasSize(5);
            assertThat(h.getSideOutput(Outputs.REJECTS))
                    .extracting(StreamRecord::getValue)
                    .last()
                    .extracting(RejectedOpen::getEnvelopeId, RejectedOpen::getReason)
                    .containsExactly(8L, RejectReason.TOKEN_EXPIRED);
            assertThat(keyedStateEntries(h)).isZero();
        }
    }

    @Test
    void aRedeliveryGetsTheAnswerItsFirstDeliveryGot() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            for (int s = 1; s <= 4; s++) {
                h.processElement(open(s, "u1", "s" + s, "cash", 100), 0);
            }
            h.processElement(open(5, "u1", "coupon-sponsor", "coupon", 10), 0); // 5th: USER_CAP
            h.processElement(open(6, "u2", "s1", "coupon", 10), 0); // to the shaper
            for (long id : new long[] {2, 4, 6}) {
                VerifiedOpen again =
                        open(id, id == 6 ? "u2" : "u1", id == 6 ? "s1" : "s" + id, id == 6 ? "coupon" : "cash", 100);
                again.redelivery = true;
                h.processElement(again, 0);
            }

            assertThat(h.extractOutputValues())
                    .extracting(CreditInstruction::getEnvelopeId)
                    .containsExactly(1L, 2L, 3L);
            assertThat(h.getSideOutput(Outputs.TO_SHAPE))
                    .extracting(r -> r.getValue().envelopeId)
                    .containsExactly(6L);
            assertThat(h.getSideOutput(Outputs.REJECTS))
                    .extracting(StreamRecord::getValue)
                    .extracting(RejectedOpen::getEnvelopeId, RejectedOpen::getReason)
                    .containsExactly(
                            tuple(4L, RejectReason.USER_CAP),
                            tuple(5L, RejectReason.USER_CAP),
                            tuple(4L, RejectReason.USER_CAP));
        }
    }

    @Test
    void limitedChannelsGoToTheShaperAndALimitSetWhileRunningDivertsTheCashChannelToo() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            h.processElement(open(1, "u1", "s1", "coupon", 10), 0);
            h.processElement(open(2, "u2", "s1", "cash", 100), 0);
            h.processBroadcastElement(
                    ControlCommand.newBuilder()
                            .setCommandId("c1")
                            .setIssuedAtMs(0)
                            .setOperator("ops")
                            .setAction(ControlAction.SET_CHANNEL_LIMIT)
                            .setChannel("cash")
                            .setValue(500L)
                            .build(),
                    0);
            h.processElement(open(3, "u3", "s1", "cash", 100), 0);

            assertThat(h.extractOutputValues())
                    .extracting(CreditInstruction::getEnvelopeId)
                    .containsExactly(2L);
            assertThat(h.getSideOutput(Outputs.TO_SHAPE))
                    .extracting(r -> r.getValue().envelopeId)
                    .containsExactly(1L, 3L);

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    private static ControlCommand review(ControlAction action, String user, String operator) {
        return ControlCommand.newBuilder()
                .setCommandId(action + ":" + user)
                .setIssuedAtMs(0)
                .setOperator(operator)
                .setAction(action)
                .setUserId(user)
                .build();
    }

    private static VerifiedOpen redelivered(VerifiedOpen v) {
        v.redelivery = true;
        return v;
    }

    @Test
    void aHeldAccountsCreditsWaitForReviewAndAReleasePaysEachOnceInItsChannel() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            h.processElement(open(1, "u1", "s1", "cash", 100), 0); // before the hold: paid
            h.processBroadcastElement(review(ControlAction.HOLD_ACCOUNT, "u1", "live-flag"), 0);
            h.processElement(redelivered(open(1, "u1", "s1", "cash", 100)), 0); // paid before: no new answer
            h.processElement(open(2, "u1", "s2", "cash", 200), 0);
            h.processElement(redelivered(open(2, "u1", "s2", "cash", 200)), 0);
            h.processElement(open(3, "u1", "s3", "coupon", 30), 0);
            h.processElement(open(4, "u1", "s4", "cash", 400), 0); // held ones count against the caps
            h.processElement(open(5, "u2", "s1", "cash", 500), 0); // another account: paid

            assertThat(h.extractOutputValues())
                    .extracting(CreditInstruction::getEnvelopeId)
                    .containsExactly(1L, 5L);
            assertThat(h.getSideOutput(Outputs.HELD))
                    .extracting(r -> r.getValue().envelopeId)
                    .containsExactly(2L, 3L);
            assertThat(h.getSideOutput(Outputs.REJECTS))
                    .extracting(StreamRecord::getValue)
                    .extracting(RejectedOpen::getEnvelopeId, RejectedOpen::getReason)
                    .containsExactly(tuple(4L, RejectReason.USER_CAP));

            h.processBroadcastElement(review(ControlAction.RELEASE_ACCOUNT, "u1", "analyst"), 0);
            assertThat(h.extractOutputValues())
                    .extracting(CreditInstruction::getEnvelopeId)
                    .containsExactly(1L, 5L, 2L);
            assertThat(h.getSideOutput(Outputs.TO_SHAPE))
                    .extracting(r -> r.getValue().envelopeId)
                    .containsExactly(3L);
            assertThat(h.getSideOutput(Outputs.UNHELD))
                    .extracting(r -> r.getValue().envelopeId)
                    .containsExactly(2L, 3L);

            // released: a later flag does not hold the account again, a redelivery is not answered twice
            h.processBroadcastElement(review(ControlAction.HOLD_ACCOUNT, "u1", "live-flag"), 0);
            h.processElement(redelivered(open(2, "u1", "s2", "cash", 200)), 0);
            h.processBroadcastElement(review(ControlAction.RELEASE_ACCOUNT, "u1", "analyst"), 0);
            assertThat(h.extractOutputValues()).hasSize(3);
            assertThat(h.getSideOutput(Outputs.HELD)).hasSize(2);

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void confirmedFraudRefusesEveryDeliveryOfItsHeldOpensAndEveryLaterOpen() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            h.processBroadcastElement(review(ControlAction.HOLD_ACCOUNT, "u1", "ops"), 0);
            h.processElement(open(1, "u1", "s1", "cash", 100), 0);
            h.processElement(redelivered(open(1, "u1", "s1", "cash", 100)), 0);
            h.processElement(open(2, "u1", "s2", "cash", 200), 0);

            h.processBroadcastElement(review(ControlAction.CONFIRM_FRAUD, "u1", "analyst"), 0);
            h.processElement(open(3, "u1", "s3", "cash", 300), 0); // after the decision
            h.processElement(redelivered(open(2, "u1", "s2", "cash", 200)), 0); // a late copy of a refused one

            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(Outputs.REJECTS))
                    .extracting(StreamRecord::getValue)
                    .extracting(RejectedOpen::getEnvelopeId, RejectedOpen::getReason)
                    .containsExactly(
                            tuple(1L, RejectReason.FRAUD_CONFIRMED),
                            tuple(1L, RejectReason.FRAUD_CONFIRMED),
                            tuple(2L, RejectReason.FRAUD_CONFIRMED),
                            tuple(3L, RejectReason.FRAUD_CONFIRMED),
                            tuple(2L, RejectReason.FRAUD_CONFIRMED));
            assertThat(h.getSideOutput(Outputs.UNHELD))
                    .extracting(r -> r.getValue().envelopeId)
                    .containsExactly(1L, 2L);

            // a reviewer's reversal: the account is paid from then on, within caps the refused envelopes no longer fill
            h.processBroadcastElement(review(ControlAction.RELEASE_ACCOUNT, "u1", "analyst"), 0);
            h.processElement(open(6, "u1", "s6", "cash", 600), 0);
            assertThat(h.extractOutputValues())
                    .extracting(CreditInstruction::getEnvelopeId)
                    .containsExactly(6L);

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(keyedStateEntries(h)).isZero();
        }
    }
}
