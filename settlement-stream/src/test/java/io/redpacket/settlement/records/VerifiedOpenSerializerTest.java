package io.redpacket.settlement.records;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class VerifiedOpenSerializerTest {
    private static VerifiedOpen sample() {
        VerifiedOpen v = new VerifiedOpen();
        v.eventId = "evt-1";
        v.userId = "用户-42";
        v.deviceId = null; // fields the edge did not fill stay null
        v.ip = "10.0.0.7";
        v.edgeId = 3;
        v.openTimeMs = 1_767_000_000_123L;
        v.envelopeId = (1L << 40) - 1;
        v.amountFen = 16_777_215;
        v.batchId = 65_000;
        v.keyId = 9;
        v.sponsorId = "sponsor-a";
        v.envelopeAccount = "acct-a";
        v.channel = "cash";
        v.record = new byte[26];
        v.record[25] = 7;
        return v;
    }

    @Test
    void flinkPicksTheHandWrittenSerializerForVerifiedOpen() {
        assertThat(TypeInformation.of(VerifiedOpen.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(VerifiedOpenSerializer.INSTANCE);
    }

    @Test
    void everyFieldSurvivesARoundTripAndACopy() throws Exception {
        VerifiedOpen v = sample();
        DataOutputSerializer out = new DataOutputSerializer(64);
        VerifiedOpenSerializer.INSTANCE.serialize(v, out);
        VerifiedOpenSerializer.INSTANCE.serialize(v, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        VerifiedOpen first = VerifiedOpenSerializer.INSTANCE.deserialize(in);
        VerifiedOpen second = VerifiedOpenSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).isZero();
        assertThat(first).usingRecursiveComparison().isEqualTo(v);
        assertThat(second).usingRecursiveComparison().isEqualTo(v);
        assertThat(VerifiedOpenSerializer.INSTANCE.copy(v))
                .isNotSameAs(v)
                .usingRecursiveComparison()
                .isEqualTo(v);
    }

    @Test
    void anOpenWhoseRecordWasCheckedTravelsWithoutIt() throws Exception {
        VerifiedOpen v = sample();
        v.record = null;
        DataOutputSerializer out = new DataOutputSerializer(64);
        VerifiedOpenSerializer.INSTANCE.serialize(v, out);
        VerifiedOpen back =
                VerifiedOpenSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).usingRecursiveComparison().isEqualTo(v);
    }

    @Test
    void theSnapshotRestoresTheSameSerializer() {
        assertThat(VerifiedOpenSerializer.INSTANCE.snapshotConfiguration().restoreSerializer())
                .isSameAs(VerifiedOpenSerializer.INSTANCE);
    }

    @Test
    void stateWrittenInTheOlderStringLayoutIsRefusedNotMisread() {
        var current = VerifiedOpenSerializer.INSTANCE.snapshotConfiguration();
        assertThat(current.resolveSchemaCompatibility(new VerifiedOpenSerializer.CompactSnapshot())
                        .isCompatibleAsIs())
                .isTrue();
        assertThat(current.resolveSchemaCompatibility(new VerifiedOpenSerializer.Snapshot())
                        .isIncompatible())
                .isTrue();
    }

    @Test
    void stringsOfAnyLengthAndScriptRoundTrip() throws Exception {
        VerifiedOpen v = sample();
        v.eventId = "";
        v.userId = "x".repeat(200); // a length of two varint bytes
        v.ip = "用".repeat(50_000); // three bytes each in UTF-8: a three-byte length
        DataOutputSerializer out = new DataOutputSerializer(64);
        VerifiedOpenSerializer.INSTANCE.serialize(v, out);
        VerifiedOpen back =
                VerifiedOpenSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).usingRecursiveComparison().isEqualTo(v);
    }
}
