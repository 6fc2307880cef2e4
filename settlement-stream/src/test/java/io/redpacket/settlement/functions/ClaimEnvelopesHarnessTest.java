package io.redpacket.settlement.functions;

import static io.redpacket.settlement.functions.HarnessSupport.keyedStateEntries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.RejectReason;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.records.ClaimInput;
import io.redpacket.settlement.records.PregeneratedEnvelope;
import io.redpacket.settlement.records.VerifiedOpen;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ClaimEnvelopesHarnessTest {
    private static final long RETAIN_UNTIL = 50_000;

    private static ClaimEnvelopes function(int... initiallyBlocked) {
        return new ClaimEnvelopes(new Settings("v", null, 0, initiallyBlocked, RETAIN_UNTIL, Map.of(), 0, 1, 0));
    }

    private static KeyedBroadcastOperatorTestHarness<Long, ClaimInput, ControlCommand, VerifiedOpen> harness(
            int... initiallyBlocked) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                function(initiallyBlocked), ClaimInput::blockOf, Types.LONG, ControlState.BLACKLIST);
    }

    /** Not yet opened, so that state can be restored into it. */
    private static KeyedBroadcastOperatorTestHarness<Long, ClaimInput, ControlCommand, VerifiedOpen> unopenedHarness()
            throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(function(), List.of(ControlState.BLACKLIST)),
                ClaimInput::blockOf,
                Types.LONG,
                1,
                1,
                0);
    }

    /** A stand-in for the 26 bytes generation wrote for an envelope (the claim step compares, it does not decrypt). */
    private static byte[] record(long envelopeId) {
        byte[] r = new byte[26];
        Arrays.fill(r, (byte) envelopeId);
        r[25] = (byte) (envelopeId >>> 8);
        return r;
    }

    private static ClaimInput generated(long envelopeId) {
        return ClaimInput.of(new PregeneratedEnvelope(envelopeId, record(envelopeId)));
    }

    private static ClaimInput open(String eventId, long envelopeId, String user, byte[] record, int keyId) {
        VerifiedOpen v = HarnessSupport.open(envelopeId, user, "s1", "cash", 100);
        v.eventId = eventId;
        v.record = record;
        v.keyId = keyId;
        return ClaimInput.of(v);
    }

    private static ClaimInput open(String eventId, long envelopeId, String user) {
        return open(eventId, envelopeId, user, record(envelopeId), 1);
    }

    /** Every record is in once the loader's final watermark (and the control stream's) has arrived. */
    private static void allLoaded(KeyedBroadcastOperatorTestHarness<Long, ClaimInput, ControlCommand, VerifiedOpen> h)
            throws Exception {
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        h.processBroadcastWatermark(new Watermark(Long.MAX_VALUE));
    }

    private static Object[] rejects(
            KeyedBroadcastOperatorTestHarness<Long, ClaimInput, ControlCommand, VerifiedOpen> h) {
        return h.getSideOutput(Outputs.REJECTS).stream()
                .map(StreamRecord::getValue)
                .map(r -> tuple(r.getOpenEventId(), r.getReason()))
                .toArray();
    }

    static ControlCommand command(ControlAction action, int keyId) {
        return ControlCommand.newBuilder()
                .setCommandId("c-" + action + keyId)
                .setIssuedAtMs(0)
                .setOperator("ops")
                .setAction(action)
                .setKeyId(keyId)
                .build();
    }

    @Test
    void opensWaitForTheRecordsThenEachEnvelopeIsClaimedOnceAndAnIdenticalRedeliveryIsOnlyCounted() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            h.processElement(generated(1), 0);
            h.processElement(open("e1", 1, "u1"), 0); // before the loader finished: waits, is not rejected
            h.processElement(generated(2), 0);
            h.processElement(generated(5_000), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(Outputs.REJECTS)).isNull();
            assertThat(h.numEventTimeTimers()).isEqualTo(1);

            allLoaded(h);
            h.processElement(open("e2", 2, "u2"), 0);
            h.processElement(open("e1", 1, "u1"), 0); // the same event again (a producer retry)
            h.processElement(open("e1-again", 1, "u1"), 0); // another open event of a claimed envelope
            h.processElement(open("e2", 2, "u2"), 0); // the same event again, later
            h.processElement(open("forged", 3, "eve", record(3), 1), 0); // in no file
            h.processElement(open("resealed", 5_000, "eve", record(4_999), 1), 0);
            h.processElement(open("e5000", 5_000, "u3"), 0);

            // redeliveries go on flagged, for the caps step to answer as it answered the first delivery
            assertThat(h.extractOutputValues())
                    .extracting(v -> v.eventId, v -> v.envelopeId, v -> v.redelivery)
                    .containsExactly(
                            tuple("e1", 1L, false),
                            tuple("e2", 2L, false),
                            tuple("e1", 1L, true),
                            tuple("e2", 2L, true),
                            tuple("e5000", 5_000L, false));
            assertThat(h.extractOutputValues())
                    .allSatisfy(
                            v -> assertThat(v.record).as("dropped once checked").isNull());
            assertThat(h.getSideOutput(Outputs.REDELIVERED))
                    .extracting(r -> r.getValue().eventId)
                    .containsExactly("e1", "e2");
            assertThat(rejects(h))
                    .containsExactly(
                            tuple("e1-again", RejectReason.DUPLICATE_ENVELOPE),
                            tuple("forged", RejectReason.NOT_PREGENERATED),
                            tuple("resealed", RejectReason.RECORD_MISMATCH));
            // blocks 0 and 4 (5000 >>> 10), one retention timer each; the waiting list is gone
            assertThat(keyedStateEntries(h)).isEqualTo(2);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(2);
            assertThat(h.numEventTimeTimers()).isZero();

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void afterRetentionEveryOpenIsRejectedEvenARedeliveryAndNoStateIsCreated() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(RETAIN_UNTIL + 5);
            h.processElement(generated(3), 0);
            allLoaded(h);
            h.processElement(open("e3", 3, "u1"), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(rejects(h)).containsExactly(tuple("e3", RejectReason.TOKEN_EXPIRED));
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void theBlacklistChangesLiveARefusedOpenDoesNotUseUpItsEnvelopeAndItsRedeliveryGetsTheSameAnswer()
            throws Exception {
        try (var h = harness(7)) {
            h.setProcessingTime(1_000);
            for (long id = 10; id <= 13; id++) {
                h.processElement(generated(id), 0);
            }
            allLoaded(h);
            h.processElement(open("a", 10, "u1", record(10), 2), 0);
            h.processBroadcastElement(command(ControlAction.BLACKLIST_KEY, 2), 0);
            h.processElement(open("b", 11, "u2", record(11), 2), 0);
            h.processElement(open("c", 12, "u3", record(12), 7), 0); // blocked from the command line
            h.processBroadcastElement(command(ControlAction.UNBLACKLIST_KEY, 2), 0);
            h.processBroadcastElement(
                    command(ControlAction.UNBLACKLIST_KEY, 7), 0); // operators may lift a command-line key too
            h.processElement(open("b", 11, "u2", record(11), 2), 0); // the refused event again: same answer
            h.processElement(open("b2", 11, "u2", record(11), 2), 0); // a new open of the same envelope: claims it
            h.processElement(open("c2", 12, "u3", record(12), 7), 0);

            assertThat(h.extractOutputValues()).extracting(v -> v.eventId).containsExactly("a", "b2", "c2");
            assertThat(rejects(h))
                    .containsExactly(
                            tuple("b", RejectReason.BLACKLISTED_KEY),
                            tuple("c", RejectReason.BLACKLISTED_KEY),
                            tuple("b", RejectReason.BLACKLISTED_KEY));
            assertThat(h.getSideOutput(Outputs.REDELIVERED)).isNull();

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void aRestoreKeepsTheRecordsAndTheWaitingOpensWithoutLoadingAgain() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            h.processElement(generated(1), 0);
            h.processElement(generated(2), 0);
            h.processElement(open("e1", 1, "u1"), 0);
            snapshot = h.snapshot(1, 1_000);
        }
        try (var restored = unopenedHarness()) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            restored.setProcessingTime(2_000);
            // the finished loader sends its final watermark again at once; no record comes twice
            allLoaded(restored);
            restored.processElement(open("e2", 2, "u2"), 0);
            restored.processElement(open("e1", 1, "u1"), 0);
            assertThat(restored.extractOutputValues())
                    .extracting(v -> v.eventId, v -> v.redelivery)
                    .containsExactly(tuple("e1", false), tuple("e2", false), tuple("e1", true));
            assertThat(restored.getSideOutput(Outputs.REDELIVERED))
                    .extracting(r -> r.getValue().eventId)
                    .containsExactly("e1");
            assertThat(restored.getSideOutput(Outputs.REJECTS)).isNull();
        }
    }
}
