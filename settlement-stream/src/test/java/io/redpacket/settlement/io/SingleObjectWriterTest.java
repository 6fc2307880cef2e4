package io.redpacket.settlement.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class SingleObjectWriterTest {
    @Test
    void writesExactlyTheBytesOfTheGeneratedEncoderRecordAfterRecord() throws Exception {
        SingleObjectWriter<CreditInstruction> credits = new SingleObjectWriter<>(CreditInstruction.class);
        for (int i = 0; i < 3; i++) {
            CreditInstruction c = CreditInstruction.newBuilder()
                    .setCreditId("env-" + i)
                    .setEnvelopeId(i)
                    .setUserId("u" + "x".repeat(i * 300))
                    .setAmountFen(1_000L + i)
                    .setBatchId(7)
                    .setSponsorId("s")
                    .setEnvelopeAccount("a")
                    .setChannel("cash")
                    .setOpenEventId("e" + i)
                    .setEdgeId(2)
                    .setOpenTimeMs(1_000 + i)
                    .setCreditTimeMs(2_000 + i)
                    .build();
            byte[] bytes = credits.write(c);
            assertThat(bytes).isEqualTo(bytesOf(c.toByteBuffer()));
            assertThat(CreditInstruction.fromByteBuffer(ByteBuffer.wrap(bytes))).isEqualTo(c);
        }
        RejectedOpen r = RejectedOpen.newBuilder()
                .setOpenEventId("e")
                .setReason(RejectReason.USER_CAP)
                .setDetail("d")
                .setUserId("u")
                .setDeviceId("d")
                .setIp("1.2.3.4")
                .setEdgeId(1)
                .setEnvelopeId(5L)
                .setAmountFen(6L)
                .setBatchId(7)
                .setKeyId(8)
                .setOpenTimeMs(9)
                .setRejectTimeMs(10)
                .build();
        assertThat(new SingleObjectWriter<>(RejectedOpen.class).write(r)).isEqualTo(bytesOf(r.toByteBuffer()));
    }

    private static byte[] bytesOf(ByteBuffer bb) {
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        return out;
    }
}
