package io.redpacket.settlement.records;

import java.util.function.Supplier;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type information of a class with a hand-written serializer: Flink then never falls back to its reflective
 * POJO serializer, Kryo, or (for Avro classes) flink-avro's serializer.
 */
public final class SerializerTypeInfo<T> extends TypeInformation<T> {
    /** A serializable factory of the serializer (type information travels in the job graph). */
    @FunctionalInterface
    public interface Factory<T> extends Supplier<TypeSerializer<T>>, java.io.Serializable {}

    private final Class<T> type;
    private final Factory<T> serializer;

    public SerializerTypeInfo(Class<T> type, Factory<T> serializer) {
        this.type = type;
        this.serializer = serializer;
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer.get();
    }

    @Override
    public String toString() {
        return type.getSimpleName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SerializerTypeInfo<?> other && other.type.equals(type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof SerializerTypeInfo<?>;
    }
}
