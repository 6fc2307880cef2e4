package io.redpacket.settlement.records;

import io.redpacket.envelope.EnvelopeLayout;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Field-by-field serializer of {@link VerifiedOpen}, which crosses two shuffles per open and waits in the
 * shaper's state. Flink's generic POJO serializer reads and writes every field by reflection and resets each
 * new instance field by field; this one is plain code in a fixed order (measured: the POJO serializer was
 * about a tenth of the CPU of the dedupe and caps tasks).
 */
public final class VerifiedOpenSerializer extends TypeSerializerSingleton<VerifiedOpen> {
    public static final VerifiedOpenSerializer INSTANCE = new VerifiedOpenSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public VerifiedOpen createInstance() {
        return new VerifiedOpen();
    }

    @Override
    public VerifiedOpen copy(VerifiedOpen from) {
        VerifiedOpen v = new VerifiedOpen();
        v.eventId = from.eventId;
        v.userId = from.userId;
        v.deviceId = from.deviceId;
        v.ip = from.ip;
        v.edgeId = from.edgeId;
        v.openTimeMs = from.openTimeMs;
        v.envelopeId = from.envelopeId;
        v.amountFen = from.amountFen;
        v.batchId = from.batchId;
        v.keyId = from.keyId;
        v.sponsorId = from.sponsorId;
        v.envelopeAccount = from.envelopeAccount;
        v.channel = from.channel;
        v.record = from.record == null ? null : from.record.clone();
        v.redelivery = from.redelivery;
        return v;
    }

    @Override
    public VerifiedOpen copy(VerifiedOpen from, VerifiedOpen reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(VerifiedOpen v, DataOutputView out) throws IOException {
        CompactStrings.write(v.eventId, out);
        CompactStrings.write(v.userId, out);
        CompactStrings.write(v.deviceId, out);
        CompactStrings.write(v.ip, out);
        out.writeInt(v.edgeId);
        out.writeLong(v.openTimeMs);
        out.writeLong(v.envelopeId);
        out.writeLong(v.amountFen);
        out.writeInt(v.batchId);
        out.writeInt(v.keyId);
        CompactStrings.write(v.sponsorId, out);
        CompactStrings.write(v.envelopeAccount, out);
        CompactStrings.write(v.channel, out);
        out.writeByte((v.record != null ? 1 : 0) | (v.redelivery ? 2 : 0));
        if (v.record != null) {
            out.write(v.record);
        }
    }

    @Override
    public VerifiedOpen deserialize(DataInputView in) throws IOException {
        VerifiedOpen v = new VerifiedOpen();
        v.eventId = CompactStrings.read(in);
        v.userId = CompactStrings.read(in);
        v.deviceId = CompactStrings.read(in);
        v.ip = CompactStrings.read(in);
        v.edgeId = in.readInt();
        v.openTimeMs = in.readLong();
        v.envelopeId = in.readLong();
        v.amountFen = in.readLong();
        v.batchId = in.readInt();
        v.keyId = in.readInt();
        v.sponsorId = CompactStrings.read(in);
        v.envelopeAccount = CompactStrings.read(in);
        v.channel = CompactStrings.read(in);
        int flags = in.readByte();
        v.redelivery = (flags & 2) != 0;
        if ((flags & 1) != 0) {
            v.record = new byte[EnvelopeLayout.RECORD_BYTES];
            in.readFully(v.record);
        }
        return v;
    }

    @Override
    public VerifiedOpen deserialize(VerifiedOpen reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<VerifiedOpen> snapshotConfiguration() {
        return new CompactSnapshot();
    }

    /**
     * The layout before issue 18 (strings as Flink's {@code StringValue}), named in savepoints taken then. Kept only so
     * that such a savepoint is refused with Flink's "incompatible serializer" error instead of being misread: those
     * savepoints also hold the claim step's records in the older one-value-per-envelope form.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<VerifiedOpen> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /** Restores the serializer from savepoints; a change of the field layout needs a new snapshot class. */
    public static final class CompactSnapshot extends SimpleTypeSerializerSnapshot<VerifiedOpen> {
        public CompactSnapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<VerifiedOpen> resolveSchemaCompatibility(
                TypeSerializerSnapshot<VerifiedOpen> old) {
            return old instanceof CompactSnapshot
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }

    /** Picked up through {@code @TypeInfo} on {@link VerifiedOpen}, wherever Flink extracts its type. */
    public static final class Factory extends TypeInfoFactory<VerifiedOpen> {
        @Override
        public TypeInformation<VerifiedOpen> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(VerifiedOpen.class, () -> INSTANCE);
        }
    }
}
