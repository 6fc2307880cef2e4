package io.redpacket.settlement.io;

import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Writes a flat Avro record (strings, enums, ints, longs, booleans, each optionally nullable, and arrays of those)
 * to Parquet column
 * by column, through writers chosen once per field, into exactly the schema and footer parquet-avro's
 * {@code AvroWriteSupport} gives it (same message type, same {@code parquet.avro.schema} entry), so every reader
 * sees the same files. parquet-avro resolves each value's type and nullability per record through its generic
 * data model, which was a quarter of the logs' cost on the hot path. Nested types are refused when the writer
 * is built.
 */
final class SpecificRecordWriteSupport<T extends SpecificRecord> extends WriteSupport<T> {
    private final Schema avroSchema;
    private final MessageType parquetSchema;
    private final FieldWriter[] writers;
    private final String[] names;
    private RecordConsumer out;

    @FunctionalInterface
    private interface FieldWriter {
        void write(RecordConsumer out, Object value);
    }

    SpecificRecordWriteSupport(Schema avroSchema) {
        this.avroSchema = avroSchema;
        this.parquetSchema = new AvroSchemaConverter().convert(avroSchema);
        List<Schema.Field> fields = avroSchema.getFields();
        writers = new FieldWriter[fields.size()];
        names = new String[fields.size()];
        for (int i = 0; i < writers.length; i++) {
            names[i] = fields.get(i).name();
            String where = avroSchema.getName() + "." + names[i];
            Schema fs = fields.get(i).schema();
            writers[i] = fs.getType() == Schema.Type.ARRAY
                    ? listWriter(where, fs, parquetSchema.getType(names[i]).asGroupType())
                    : writerFor(where, fs);
        }
    }

    private static FieldWriter writerFor(String where, Schema s) {
        return switch (s.getType()) {
            case STRING, ENUM -> (out, v) -> out.addBinary(Binary.fromString(v.toString()));
            case LONG -> (out, v) -> out.addLong((Long) v);
            case INT -> (out, v) -> out.addInteger((Integer) v);
            case BOOLEAN -> (out, v) -> out.addBoolean((Boolean) v);
            case UNION -> {
                List<Schema> branches = s.getTypes().stream()
                        .filter(b -> b.getType() != Schema.Type.NULL)
                        .toList();
                if (branches.size() != 1) {
                    throw new IllegalArgumentException(where + ": only [null, T] unions are supported, not " + s);
                }
                yield writerFor(where, branches.get(0));
            }
            default ->
                throw new IllegalArgumentException(
                        where + ": type " + s.getType() + " is not supported in a flat log record");
        };
    }

    /**
     * A list in the layout the converter chose for it (parquet-avro's default is the two-level one: a group holding
     * one repeated field), written as {@code AvroWriteSupport} writes it: an empty list is an empty group.
     */
    private static FieldWriter listWriter(String where, Schema array, org.apache.parquet.schema.GroupType group) {
        if (group.getFieldCount() != 1 || !group.getType(0).isPrimitive()) {
            throw new IllegalArgumentException(where + ": only lists of plain values are supported, not " + group);
        }
        String element = group.getFieldName(0);
        FieldWriter each = writerFor(where + "[]", array.getElementType());
        return (out, v) -> {
            List<?> values = (List<?>) v;
            out.startGroup();
            if (!values.isEmpty()) {
                out.startField(element, 0);
                for (Object e : values) {
                    each.write(out, e);
                }
                out.endField(element, 0);
            }
            out.endGroup();
        };
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return context();
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return context();
    }

    private WriteContext context() {
        // The key parquet-avro writes and reads back, so an Avro reader gets the writer's exact schema.
        return new WriteContext(parquetSchema, Map.of("parquet.avro.schema", avroSchema.toString()));
    }

    @Override
    public String getName() {
        return "avro";
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        out = recordConsumer;
    }

    @Override
    public void write(T record) {
        out.startMessage();
        for (int i = 0; i < writers.length; i++) {
            Object v = record.get(i);
            if (v != null) { // a null is an absent optional value; a required column never sees one (the record's
                // builder refuses it)
                out.startField(names[i], i);
                writers[i].write(out, v);
                out.endField(names[i], i);
            }
        }
        out.endMessage();
    }
}
