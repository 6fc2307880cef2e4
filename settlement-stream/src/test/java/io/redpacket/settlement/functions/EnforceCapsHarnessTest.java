package io.redpacket.settlement.functions;

import static io.redpacket.settlement.functions.HarnessSupport.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

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
class EnforceCapsHarnessTest {
    private static final long RETAIN_UNTIL = 50_000;

    @Test
    void capsHoldPerUserAndStateGoesWhenRetentionEnds() throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, VerifiedOpen, VerifiedOpen> h = ProcessFunctionTestHarnesses
                .forKeyedProcessFunction(new EnforceCaps(RETAIN_UNTIL), v -> v.userId, Types.STRING)) {
            h.setProcessingTime(1_000);
            h.processElement(open(1, "u1", "s1", "cash", 100), 0);
            h.processElement(open(2, "u1", "s2", "cash", 100), 0);
            h.processElement(open(3, "u1", "s3", "cash", 100), 0);
            h.processElement(open(4, "u1", "s4", "cash", 100), 0);
            h.processElement(open(5, "u2", "s1", "cash", 100), 0);
            h.processElement(open(6, "u2", "s1", "cash", 100), 0);
            h.processElement(open(7, "u2", "s2", "cash", 100), 0);

            assertThat(h.extractOutputValues()).extracting(v -> v.envelopeId).containsExactly(1L, 2L, 3L, 5L, 7L);
            assertThat(h.getSideOutput(Outputs.REJECTS)).extracting(StreamRecord::getValue)
                    .extracting(RejectedOpen::getEnvelopeId, RejectedOpen::getReason)
                    .containsExactly(tuple(4L, RejectReason.USER_CAP), tuple(6L, RejectReason.SPONSOR_CAP));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            assertThat(h.numProcessingTimeTimers()).isEqualTo(2);

            h.setProcessingTime(RETAIN_UNTIL);
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }
}
