package io.redpacket.dashboard;

import io.redpacket.avro.ControlCommand;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The control topic: ControlCommand records (Avro single-object encoding, key = command id), idempotent producer
 * with acks=all; a switch counts as published only once the broker acknowledged it.
 */
final class KafkaControlSink implements Switchboard.ControlSink, AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    KafkaControlSink(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "redpacket-dashboard");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    @Override
    public String name() {
        return topic;
    }

    @Override
    public Switchboard.Published publish(ControlCommand command) {
        try {
            RecordMetadata md = producer.send(new ProducerRecord<>(
                            topic,
                            command.getCommandId(),
                            command.toByteBuffer().array()))
                    .get(15, TimeUnit.SECONDS);
            return new Switchboard.Published(
                    true,
                    md.offset(),
                    command.getAction() + " at partition " + md.partition() + " offset " + md.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Switchboard.Published(false, -1, "interrupted");
        } catch (Exception e) {
            return new Switchboard.Published(false, -1, "not published: " + e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
