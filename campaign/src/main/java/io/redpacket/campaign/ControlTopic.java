package io.redpacket.campaign;

import io.redpacket.avro.ControlCommand;
import io.redpacket.io.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The operators' switches as the campaign issues them: one {@link ControlCommand} on the control topic, acknowledged
 * by every running edge when its control offset passes the command's. Also writes the campaign's own records (canary
 * opens) and waits for each ack.
 */
final class ControlTopic implements AutoCloseable {
    private final String bootstrapServers;
    private final EdgeFleet edges;
    private KafkaProducer<String, byte[]> producer;

    ControlTopic(String bootstrapServers, EdgeFleet edges) {
        this.bootstrapServers = bootstrapServers;
        this.edges = edges;
    }

    /** Publishes an operator's switch; returns its offset on the control topic. */
    long issue(ControlCommand.Builder b, String commandId) throws IOException {
        ControlCommand cmd = b.setCommandId(commandId + "-" + System.currentTimeMillis())
                .setIssuedAtMs(System.currentTimeMillis())
                .setOperator("campaign")
                .build();
        return publish(Topics.CONTROL, cmd.getCommandId(), cmd.toByteBuffer().array());
    }

    /** Writes one record and waits for the ack; returns its offset. */
    long publish(String topic, String key, byte[] value) throws IOException {
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        }
        try {
            return producer.send(new ProducerRecord<>(topic, key, value))
                    .get(30, TimeUnit.SECONDS)
                    .offset();
        } catch (Exception e) {
            throw new IOException("cannot write to " + topic + ": " + e, e);
        }
    }

    /**
     * Waits until every running edge acknowledges the command at {@code offset}; returns the ms each took, -1 for an
     * edge that did not within {@code seconds}.
     */
    Map<Integer, Long> awaitApplied(long offset, int seconds) throws InterruptedException {
        long start = System.currentTimeMillis();
        Map<Integer, Long> took = new TreeMap<>();
        long deadline = start + seconds * 1000L;
        while (true) {
            for (EdgeClient edge : edges.clients()) {
                if (!took.containsKey(edge.edgeId) && edges.isAlive(edge.edgeId) && edge.controlOffset() > offset) {
                    took.put(edge.edgeId, System.currentTimeMillis() - start);
                }
            }
            boolean all =
                    edges.clients().stream().allMatch(e -> took.containsKey(e.edgeId) || !edges.isAlive(e.edgeId));
            if (all || System.currentTimeMillis() > deadline) {
                break;
            }
            Thread.sleep(50);
        }
        edges.clients().stream().filter(e -> edges.isAlive(e.edgeId)).forEach(e -> took.putIfAbsent(e.edgeId, -1L));
        return took;
    }

    /** "edge 1 in 74 ms, edge 2 NOT within the wait". */
    static String describe(Map<Integer, Long> took) {
        return took.isEmpty()
                ? "no edge running"
                : String.join(
                        ", ",
                        took.entrySet().stream()
                                .map(e -> "edge " + e.getKey()
                                        + (e.getValue() < 0 ? " NOT within the wait" : " in " + e.getValue() + " ms"))
                                .toList());
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
