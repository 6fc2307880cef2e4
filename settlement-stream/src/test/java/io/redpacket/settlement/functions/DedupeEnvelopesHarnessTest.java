package io.redpacket.settlement.functions;

import static io.redpacket.settlement.functions.HarnessSupport.keyedStateEntries;
import static io.redpacket.settlement.functions.HarnessSupport.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.VerifiedOpen;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DedupeEnvelopesHarnessTest {
    private static final long RETAIN_UNTIL = 50_000;

    private static KeyedBroadcastOperatorTestHarness<Long, VerifiedOpen, ControlCommand, VerifiedOpen> harness(int... initiallyBlocked) throws Exception {
        Settings settings = new Settings("v", "i", null, 0, initiallyBlocked, RETAIN_UNTIL, Map.of(), 0, 1);
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(new DedupeEnvelopes(settings), DedupeEnvelopes::keyOf,
                Types.LONG, ControlState.BLACKLIST);
    }


    private static VerifiedOpen underKey(VerifiedOpen v, int keyId) {
        v.keyId = keyId;
        return v;
    }

    static ControlCommand command(ControlAction action, int keyId) {
        return ControlCommand.newBuilder().setCommandId("c-" + action + keyId).setIssuedAtMs(0).setOperator("ops")
                .setAction(action).setKeyId(keyId).build();
    }

    @Test
    void secondOpenOfAnEnvelopeIsRejectedAndStateGoesWhenRetentionEnds() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(1_000);
            h.processElement(open(1, "u1", "s1", "cash", 100), 1_000);
            h.processElement(open(1, "u1", "s1", "cash", 100), 1_001);
            h.processElement(open(2, "u2", "s1", "cash", 200), 1_002);
            h.setProcessingTime(60_000 - 20_000);
            h.processElement(open(2, "u2", "s1", "cash", 200), 1_003);
            // another block: its own key, bitmap and timer
            h.processElement(open(5_000, "u3", "s1", "cash", 300), 1_004);
            h.processElement(open(5_000, "u3", "s1", "cash", 300), 1_005);

            assertThat(h.extractOutputValues()).extracting(v -> v.envelopeId).containsExactly(1L, 2L, 5_000L);
            assertThat(h.getSideOutput(Outputs.REJECTS)).extracting(StreamRecord::getValue)
                    .extracting(RejectedOpen::getEnvelopeId, RejectedOpen::getReason)
                    .containsExactly(tuple(1L, RejectReason.DUPLICATE_ENVELOPE), tuple(2L, RejectReason.DUPLICATE_ENVELOPE),
                            tuple(5_000L, RejectReason.DUPLICATE_ENVELOPE));
            // envelopes 1 and 2 share block 0; 5000 is in block 4
            assertThat(keyedStateEntries(h)).isEqualTo(2);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(2);

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void afterRetentionEveryOpenIsRejectedAndNoStateIsCreated() throws Exception {
        try (var h = harness()) {
            h.setProcessingTime(RETAIN_UNTIL + 5);
            h.processElement(open(3, "u1", "s1", "cash", 100), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(Outputs.REJECTS)).extracting(r -> r.getValue().getReason()).containsExactly(RejectReason.TOKEN_EXPIRED);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void theBlacklistChangesLiveAndABlockedOpenDoesNotUseUpItsEnvelope() throws Exception {
        try (var h = harness(7)) {
            h.setProcessingTime(1_000);
            h.processElement(underKey(open(10, "u1", "s1", "cash", 100), 2), 0);
            h.processBroadcastElement(command(ControlAction.BLACKLIST_KEY, 2), 0);
            h.processElement(underKey(open(11, "u2", "s1", "cash", 100), 2), 0);
            h.processElement(underKey(open(12, "u3", "s1", "cash", 100), 7), 0);   // blocked from the command line
            h.processBroadcastElement(command(ControlAction.UNBLACKLIST_KEY, 2), 0);
            h.processBroadcastElement(command(ControlAction.UNBLACKLIST_KEY, 7), 0); // operators may lift a command-line key too
            h.processElement(underKey(open(11, "u2", "s1", "cash", 100), 2), 0);
            h.processElement(underKey(open(12, "u3", "s1", "cash", 100), 7), 0);

            assertThat(h.extractOutputValues()).extracting(v -> v.envelopeId).containsExactly(10L, 11L, 12L);
            assertThat(h.getSideOutput(Outputs.REJECTS)).extracting(StreamRecord::getValue)
                    .extracting(RejectedOpen::getEnvelopeId, RejectedOpen::getReason)
                    .containsExactly(tuple(11L, RejectReason.BLACKLISTED_KEY), tuple(12L, RejectReason.BLACKLISTED_KEY));

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(keyedStateEntries(h)).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }
}
