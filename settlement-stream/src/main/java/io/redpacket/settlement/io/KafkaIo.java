package io.redpacket.settlement.io;

import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.OpenEvent;
import io.redpacket.io.AvroTrust;
import io.redpacket.settlement.records.SpecificRecordSerializer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kafka sources and sinks of settlement, with the Avro single-object encoding every topic uses. */
public final class KafkaIo {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaIo.class);
    /** Below the broker's transaction.max.timeout.ms (15 min by default); see VERSIONS.md. */
    public static final String TRANSACTION_TIMEOUT_MS = "120000";

    private KafkaIo() {}

    public static KafkaSource<OpenEvent> opens(String bootstrap, String topic, String groupId, boolean fromEarliest) {
        return KafkaSource.<OpenEvent>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(
                        fromEarliest
                                ? OffsetsInitializer.earliest()
                                : OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new OpenEventDeserializer())
                .setProperty("isolation.level", "read_committed")
                .build();
    }

    public static KafkaSource<ControlCommand> control(String bootstrap, String topic, String groupId) {
        // Always from the beginning: the control topic is the full history of operator switches, and broadcast
        // state restored from a checkpoint is simply overwritten by the same commands in the same order.
        return KafkaSource.<ControlCommand>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ControlDeserializer())
                .build();
    }

    /** A transactional sink: records become visible to read_committed consumers only when a checkpoint completes. */
    public static <T extends SpecificRecord> KafkaSink<T> exactlyOnce(
            String bootstrap, String topic, String transactionalIdPrefix, KeyOf<T> key, Class<T> type) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(new AvroKafkaSerializer<>(topic, key, type))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                // a transaction is flushed at each checkpoint anyway: big compressed batches cost the broker least
                .setProperty("compression.type", "lz4")
                .setProperty("batch.size", Integer.toString(256 * 1024))
                .setProperty("linger.ms", "20")
                .build();
    }

    public static <T extends SpecificRecord> KafkaSink<T> atLeastOnce(
            String bootstrap, String topic, KeyOf<T> key, Class<T> type) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(new AvroKafkaSerializer<>(topic, key, type))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    @FunctionalInterface
    public interface KeyOf<T> extends Function<T, String>, java.io.Serializable {}

    static final class AvroKafkaSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {
        private final String topic;
        private final KeyOf<T> key;
        private final Class<T> type;
        private transient SingleObjectWriter<T> writer;

        AvroKafkaSerializer(String topic, KeyOf<T> key, Class<T> type) {
            this.topic = topic;
            this.key = key;
            this.type = type;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
            if (writer == null) {
                writer = new SingleObjectWriter<>(type);
            }
            try {
                // Opens that waited for the record loader are released by a timer with no event time of its own:
                // their records get the producer's clock instead of an invalid timestamp.
                Long ts = timestamp != null && timestamp >= 0 ? timestamp : null;
                return new ProducerRecord<>(
                        topic, null, ts, key.apply(element).getBytes(StandardCharsets.UTF_8), writer.write(element));
            } catch (IOException e) {
                throw new IllegalStateException("cannot encode " + element, e);
            }
        }
    }

    /**
     * Never fails the job on a bad record: an undecodable value becomes an open with an empty token and an
     * event id naming its topic, partition and offset, so it is rejected, logged and counted as a final
     * failure instead of stopping settlement for everyone.
     */
    static final class OpenEventDeserializer implements KafkaRecordDeserializationSchema<OpenEvent> {
        static {
            AvroTrust.install(); // before the first record, in every TaskManager, with no JVM flag
        }

        private transient BinaryMessageDecoder<OpenEvent> decoder;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<OpenEvent> out) {
            if (decoder == null) {
                // what OpenEvent.fromByteBuffer does, with the generated class's own decoding code
                decoder = new BinaryMessageDecoder<>(
                        SingleObjectWriter.customCoders(OpenEvent.class), OpenEvent.getClassSchema());
            }
            try {
                out.collect(decoder.decode(ByteBuffer.wrap(r.value())));
            } catch (IOException | RuntimeException e) {
                String id = "undecodable:" + r.topic() + "/" + r.partition() + "/" + r.offset();
                LOG.warn("{}: {}", id, e.toString());
                out.collect(OpenEvent.newBuilder()
                        .setEventId(id)
                        .setToken("")
                        .setUserId("")
                        .setDeviceId("")
                        .setIp("")
                        .setClientVersion("")
                        .setEdgeId(-1)
                        .setShakeTimeMs(r.timestamp())
                        .setOpenTimeMs(r.timestamp())
                        .build());
            }
        }

        @Override
        public TypeInformation<OpenEvent> getProducedType() {
            return SpecificRecordSerializer.typeOf(OpenEvent.class);
        }
    }

    static final class ControlDeserializer implements KafkaRecordDeserializationSchema<ControlCommand> {
        static {
            AvroTrust.install();
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<ControlCommand> out) {
            try {
                out.collect(ControlCommand.fromByteBuffer(ByteBuffer.wrap(r.value())));
            } catch (IOException | RuntimeException e) {
                LOG.error(
                        "ignoring undecodable control command at {}/{}/{}: {}",
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        e.toString());
            }
        }

        @Override
        public TypeInformation<ControlCommand> getProducedType() {
            return SpecificRecordSerializer.typeOf(ControlCommand.class);
        }
    }
}
