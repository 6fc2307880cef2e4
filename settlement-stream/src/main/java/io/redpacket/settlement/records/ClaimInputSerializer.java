package io.redpacket.settlement.records;

import io.redpacket.envelope.EnvelopeLayout;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** One tag byte, then the pre-generated record (id + 26 bytes) or the open ({@link VerifiedOpenSerializer}). */
public final class ClaimInputSerializer extends TypeSerializerSingleton<ClaimInput> {
    public static final ClaimInputSerializer INSTANCE = new ClaimInputSerializer();
    private static final byte ENVELOPE = 0;
    private static final byte OPEN = 1;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public ClaimInput createInstance() {
        return ClaimInput.of(new PregeneratedEnvelope());
    }

    @Override
    public ClaimInput copy(ClaimInput from) {
        return from.envelope != null
                ? ClaimInput.of(new PregeneratedEnvelope(from.envelope.envelopeId, from.envelope.record.clone()))
                : ClaimInput.of(VerifiedOpenSerializer.INSTANCE.copy(from.open));
    }

    @Override
    public ClaimInput copy(ClaimInput from, ClaimInput reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ClaimInput c, DataOutputView out) throws IOException {
        if (c.envelope != null) {
            out.writeByte(ENVELOPE);
            out.writeLong(c.envelope.envelopeId);
            out.write(c.envelope.record);
        } else {
            out.writeByte(OPEN);
            VerifiedOpenSerializer.INSTANCE.serialize(c.open, out);
        }
    }

    @Override
    public ClaimInput deserialize(DataInputView in) throws IOException {
        byte tag = in.readByte();
        if (tag == ENVELOPE) {
            long id = in.readLong();
            byte[] record = new byte[EnvelopeLayout.RECORD_BYTES];
            in.readFully(record);
            return ClaimInput.of(new PregeneratedEnvelope(id, record));
        }
        if (tag != OPEN) {
            throw new IOException("claim input: unknown tag " + tag);
        }
        return ClaimInput.of(VerifiedOpenSerializer.INSTANCE.deserialize(in));
    }

    @Override
    public ClaimInput deserialize(ClaimInput reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<ClaimInput> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ClaimInput> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    public static final class Factory extends TypeInfoFactory<ClaimInput> {
        @Override
        public TypeInformation<ClaimInput> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(ClaimInput.class, () -> INSTANCE);
        }
    }
}
