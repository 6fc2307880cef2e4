package io.redpacket.settlement.records;

import io.redpacket.io.AvroTrust;
import io.redpacket.settlement.io.GrowableBytes;
import io.redpacket.settlement.io.SingleObjectWriter;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.InstantiationUtil;

/**
 * Flink serializer of a generated Avro class (opens, credits, rejects, live metrics between tasks): a length,
 * then the Avro binary datum written and read by the class's own generated code (custom coders). It replaces
 * flink-avro's serializer, which the job does not ship, and it trusts the generated classes ({@link AvroTrust})
 * when its class is initialized, i.e. in every task before the first record is read: no JVM flag on any
 * TaskManager. Not thread-safe; {@link #duplicate()} gives each task its own.
 */
public final class SpecificRecordSerializer<T extends SpecificRecordBase> extends TypeSerializer<T> {
    static {
        AvroTrust.install();
    }

    private final Class<T> type;
    private transient SpecificDatumWriter<T> writer;
    private transient SpecificDatumReader<T> reader;
    private transient BinaryEncoder encoder;
    private transient BinaryDecoder decoder;
    private transient GrowableBytes buffer;
    private transient byte[] in;

    public SpecificRecordSerializer(Class<T> type) {
        this.type = type;
    }

    /** The type information of a generated class, for sources, side outputs and operators that produce it. */
    public static <T extends SpecificRecordBase> TypeInformation<T> typeOf(Class<T> type) {
        return new SerializerTypeInfo<>(type, () -> new SpecificRecordSerializer<>(type));
    }

    private void init() {
        if (writer == null) {
            SpecificData model = SingleObjectWriter.customCoders(type);
            Schema schema = model.getSchema(type);
            writer = new SpecificDatumWriter<>(schema, model);
            reader = new SpecificDatumReader<>(schema, schema, model);
            buffer = new GrowableBytes();
            in = new byte[256];
        }
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return new SpecificRecordSerializer<>(type);
    }

    @Override
    public T createInstance() {
        return InstantiationUtil.instantiate(type);
    }

    @Override
    public T copy(T from) {
        try {
            init();
            encode(from);
            decoder = DecoderFactory.get().binaryDecoder(buffer.array(), 0, buffer.size(), decoder);
            return reader.read(null, decoder);
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy " + type.getSimpleName(), e);
        }
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(T record, DataOutputView out) throws IOException {
        init();
        encode(record);
        out.writeInt(buffer.size());
        out.write(buffer.array(), 0, buffer.size());
    }

    private void encode(T record) throws IOException {
        buffer.reset();
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        writer.write(record, encoder);
        encoder.flush();
    }

    @Override
    public T deserialize(DataInputView source) throws IOException {
        return deserialize(null, source);
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        init();
        int n = source.readInt();
        if (n > in.length) {
            in = new byte[Math.max(n, in.length * 2)];
        }
        source.readFully(in, 0, n);
        decoder = DecoderFactory.get().binaryDecoder(in, 0, n, decoder);
        return reader.read(null, decoder); // never into reuse: sinks and heap state may still hold it
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        init();
        int n = source.readInt();
        if (n > in.length) {
            in = new byte[Math.max(n, in.length * 2)];
        }
        source.readFully(in, 0, n);
        target.writeInt(n);
        target.write(in, 0, n);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecificRecordSerializer<?> other && other.type.equals(type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        return new Snapshot<>(type);
    }

    /** Remembers the class; the records' schemas are the contracts in schemas/, so a savepoint reads back as is. */
    public static final class Snapshot<T extends SpecificRecordBase> implements TypeSerializerSnapshot<T> {
        private Class<T> type;

        public Snapshot() {}

        Snapshot(Class<T> type) {
            this.type = type;
        }

        @Override
        public int getCurrentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(org.apache.flink.core.memory.DataOutputView out) throws IOException {
            out.writeUTF(type.getName());
        }

        @Override
        @SuppressWarnings("unchecked")
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
                throws IOException {
            String name = in.readUTF();
            try {
                type = (Class<T>) Class.forName(name, false, userCodeClassLoader);
            } catch (ClassNotFoundException e) {
                throw new IOException("cannot find " + name, e);
            }
        }

        @Override
        public TypeSerializer<T> restoreSerializer() {
            return new SpecificRecordSerializer<>(type);
        }

        @Override
        public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> oldSnapshot) {
            return oldSnapshot instanceof Snapshot<T> old && old.type.equals(type)
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
