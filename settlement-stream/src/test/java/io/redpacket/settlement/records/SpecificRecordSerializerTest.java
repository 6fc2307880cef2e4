package io.redpacket.settlement.records;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SpecificRecordSerializerTest {
    private static RejectedOpen reject(String id, Long envelopeId) {
        return RejectedOpen.newBuilder()
                .setOpenEventId(id)
                .setReason(RejectReason.DUPLICATE_ENVELOPE)
                .setDetail("d")
                .setUserId("u")
                .setDeviceId("dev")
                .setIp("10.0.0.1")
                .setEdgeId(3)
                .setEnvelopeId(envelopeId)
                .setAmountFen(envelopeId == null ? null : 5L)
                .setBatchId(null)
                .setKeyId(null)
                .setOpenTimeMs(1L)
                .setRejectTimeMs(2L)
                .build();
    }

    @Test
    void recordsWithAndWithoutOptionalFieldsSurviveARoundTripACopyAndAByteCopy() throws Exception {
        TypeSerializer<RejectedOpen> s =
                SpecificRecordSerializer.typeOf(RejectedOpen.class).createSerializer(new SerializerConfigImpl());
        RejectedOpen a = reject("a", 7L);
        RejectedOpen b = reject("打开-b", null);
        DataOutputSerializer out = new DataOutputSerializer(32);
        s.serialize(a, out);
        s.serialize(b, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(s.deserialize(in)).isEqualTo(a);
        assertThat(s.duplicate().deserialize(in)).isEqualTo(b);
        assertThat(in.available()).isZero();
        assertThat(s.copy(a)).isEqualTo(a).isNotSameAs(a);

        DataOutputSerializer copied = new DataOutputSerializer(32);
        s.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(s.deserialize(new DataInputDeserializer(copied.getCopyOfBuffer())))
                .isEqualTo(a);
    }

    @Test
    void theSnapshotRestoresAnEqualSerializerForTheSameClass() throws Exception {
        TypeSerializer<RejectedOpen> s = new SpecificRecordSerializer<>(RejectedOpen.class);
        DataOutputSerializer out = new DataOutputSerializer(32);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, s.snapshotConfiguration());
        TypeSerializerSnapshot<RejectedOpen> back = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(back.restoreSerializer()).isEqualTo(s);
        assertThat(s.snapshotConfiguration().resolveSchemaCompatibility(back).isCompatibleAsIs())
                .isTrue();
    }
}
