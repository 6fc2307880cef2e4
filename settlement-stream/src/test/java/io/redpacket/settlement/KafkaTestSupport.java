package io.redpacket.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.OpenEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Producing what an edge and an operator would publish, and reading what settlement committed. */
final class KafkaTestSupport {
    private KafkaTestSupport() {}

    interface Decoder<T> {
        T decode(ByteBuffer bb) throws Exception;
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p);
    }

    static void sendOpens(KafkaProducer<byte[], byte[]> producer, String topic, List<OpenEvent> opens)
            throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (OpenEvent e : opens) {
            String key = e.getEnvelopeId() != null ? e.getEnvelopeId().toString() : e.getEventId();
            sent.add(producer.send(
                    new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), bytes(e.toByteBuffer()))));
        }
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
            f.get(30, TimeUnit.SECONDS);
        }
    }

    static void sendControl(KafkaProducer<byte[], byte[]> producer, String topic, List<ControlCommand> commands)
            throws Exception {
        for (ControlCommand c : commands) {
            producer.send(new ProducerRecord<>(
                            topic, c.getCommandId().getBytes(StandardCharsets.UTF_8), bytes(c.toByteBuffer())))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    static byte[] bytes(ByteBuffer bb) {
        byte[] b = new byte[bb.remaining()];
        bb.get(b);
        return b;
    }

    /**
     * Reads a topic from the start with read_committed until {@code done} holds for what was read, or fails
     * after {@code timeout} with what it saw.
     */
    static <T> List<T> readCommitted(
            String bootstrap, String topic, Decoder<T> decoder, Predicate<List<T>> done, Duration timeout)
            throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(out)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("after " + timeout + " " + topic + " holds " + out.size()
                            + " committed records: " + summary(out));
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(decoder.decode(ByteBuffer.wrap(r.value())));
                }
            }
        }
        return out;
    }

    /** Everything committed right now: reads up to the last stable offset of every partition. */
    static <T> List<T> readAllCommitted(String bootstrap, String topic, Decoder<T> decoder, Duration timeout)
            throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = c.endOffsets(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cannot read " + topic + " to its end " + ends + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(decoder.decode(ByteBuffer.wrap(r.value())));
                }
            }
        }
        return out;
    }

    /** The same opens again under new event ids: replays, which state (restored or not) must reject. */
    static List<OpenEvent> replayedUnderNewIds(List<OpenEvent> opens) {
        return opens.stream()
                .map(o -> OpenEvent.newBuilder(o)
                        .setEventId(o.getEventId() + "-replayed")
                        .build())
                .toList();
    }

    /**
     * Once the opens' consumer group has caught up (offsets are committed with checkpoints, so anything credited
     * twice would be committed by then too), everything committed must be: each of {@code envelopes} envelopes
     * credited once, their amounts summing to {@code expectedFen}, and the replays, and only they, rejected as
     * DUPLICATE_ENVELOPE.
     */
    static void assertSettledExactlyOnce(
            io.redpacket.kafka.LocalKafkaBroker broker,
            SettlementConfig.TopicNames t,
            String group,
            int envelopes,
            long expectedFen,
            List<OpenEvent> replayed,
            Duration timeout)
            throws Exception {
        try (Admin admin = broker.admin()) {
            awaitGroupCaughtUp(admin, group, t.opens(), timeout);
        }
        List<io.redpacket.avro.CreditInstruction> settled = readAllCommitted(
                broker.bootstrapServers(), t.credits(), io.redpacket.avro.CreditInstruction::fromByteBuffer, timeout);
        List<io.redpacket.avro.RejectedOpen> rejects = readAllCommitted(
                broker.bootstrapServers(), t.rejects(), io.redpacket.avro.RejectedOpen::fromByteBuffer, timeout);
        assertThat(settled).hasSize(envelopes);
        assertThat(settled.stream()
                        .map(io.redpacket.avro.CreditInstruction::getEnvelopeId)
                        .distinct()
                        .count())
                .isEqualTo(envelopes);
        assertThat(settled.stream()
                        .mapToLong(io.redpacket.avro.CreditInstruction::getAmountFen)
                        .sum())
                .isEqualTo(expectedFen);
        assertThat(rejects)
                .extracting(io.redpacket.avro.RejectedOpen::getOpenEventId)
                .containsExactlyInAnyOrderElementsOf(
                        replayed.stream().map(OpenEvent::getEventId).toList());
        assertThat(rejects)
                .allSatisfy(
                        r -> assertThat(r.getReason()).isEqualTo(io.redpacket.avro.RejectReason.DUPLICATE_ENVELOPE));
    }

    private static <T> String summary(List<T> out) {
        return out.size() > 20 ? out.subList(0, 20) + " ..." : out.toString();
    }

    /** Waits until the consumer group has committed offsets covering the whole topic (Flink commits on checkpoint). */
    static void awaitGroupCaughtUp(Admin admin, String group, String topic, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            var parts = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new java.util.HashMap<>();
            parts.forEach(pi -> specs.put(
                    new TopicPartition(topic, pi.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
            var ends = admin.listOffsets(specs).all().get(10, TimeUnit.SECONDS);
            boolean caughtUp = ends.entrySet().stream().allMatch(e -> {
                OffsetAndMetadata m = committed.get(e.getKey());
                return m != null && m.offset() >= e.getValue().offset();
            });
            if (caughtUp) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "group " + group + " did not catch up on " + topic + " within " + timeout + ": " + committed);
            }
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }
}
