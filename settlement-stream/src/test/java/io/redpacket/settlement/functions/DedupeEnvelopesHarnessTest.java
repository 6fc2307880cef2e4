package io.redpacket.settlement.functions;

import static io.redpacket.settlement.functions.HarnessSupport.open;
import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.settlement.VerifiedOpen;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class DedupeEnvelopesHarnessTest {
    private static final long RETAIN_UNTIL = 50_000;

    @Test
    void secondOpenOfAnEnvelopeIsRejectedAndStateGoesWhenRetentionEnds() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<Long, VerifiedOpen, VerifiedOpen> h = ProcessFunctionTestHarnesses
                .forKeyedProcessFunction(new DedupeEnvelopes(RETAIN_UNTIL), DedupeEnvelopes::keyOf, Types.LONG)) {
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
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, RejectReason.DUPLICATE_ENVELOPE),
                            org.assertj.core.groups.Tuple.tuple(2L, RejectReason.DUPLICATE_ENVELOPE),
                            org.assertj.core.groups.Tuple.tuple(5_000L, RejectReason.DUPLICATE_ENVELOPE));
            // envelopes 1 and 2 share block 0; 5000 is in block 4
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(2);

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void afterRetentionEveryOpenIsRejectedAndNoStateIsCreated() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<Long, VerifiedOpen, VerifiedOpen> h = ProcessFunctionTestHarnesses
                .forKeyedProcessFunction(new DedupeEnvelopes(RETAIN_UNTIL), DedupeEnvelopes::keyOf, Types.LONG)) {
            h.setProcessingTime(RETAIN_UNTIL + 5);
            h.processElement(open(3, "u1", "s1", "cash", 100), 0);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(Outputs.REJECTS)).extracting(r -> r.getValue().getReason()).containsExactly(RejectReason.TOKEN_EXPIRED);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }
}
