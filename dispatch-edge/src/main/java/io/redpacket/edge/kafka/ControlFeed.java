package io.redpacket.edge.kafka;

import io.redpacket.avro.ControlCommand;
import io.redpacket.edge.EdgeService;
import io.redpacket.edge.control.Switches;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's reading of the control topic ({@code Topics.CONTROL}, one partition, so every reader sees the
 * operators' commands in one order). No consumer group and nothing committed: every start reads the topic from
 * its first record, so an edge that was down (or is new) applies every switch it missed, in order, before it
 * serves a single shake ({@link #catchUp}); then a thread follows the topic, applying each command within a poll
 * (100 ms) of its arrival. The topic must keep every command (retention.ms=-1; it holds a few per campaign): a
 * start that finds its beginning already deleted refuses to run rather than dispense with half the switches.
 * What it has applied is acknowledged as the offset of the next command ({@link EdgeService#controlOffset}), in the
 * edge's live metrics ({@code control_offset}), its Prometheus text and its admin status: the dashboard shows a
 * switch as applied by an edge once that edge's offset passes the switch's.
 */
public final class ControlFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlFeed.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final EdgeService edge;
    private final Switches switches;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread follower;
    private List<TopicPartition> partitions;

    public ControlFeed(String bootstrap, String topic, EdgeService edge) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(
                ConsumerConfig.CLIENT_ID_CONFIG,
                "redpacket-edge-" + edge.settings().edgeId() + "-control");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.topic = topic;
        this.edge = edge;
        this.switches = new Switches(edge);
    }

    /**
     * Applies every command in the topic up to its end as of now; blocks (at start, before serving). Throws
     * IllegalStateException when the topic is unreachable within {@code timeout} or its beginning was deleted.
     */
    public void catchUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions == null) {
            try {
                var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    partitions = infos.stream()
                            .map(i -> new TopicPartition(topic, i.partition()))
                            .toList();
                }
            } catch (RuntimeException e) {
                LOG.warn(
                        "edge {}: control topic {} not reachable yet: {}",
                        edge.settings().edgeId(),
                        topic,
                        e.toString());
            }
            if (partitions == null && System.nanoTime() > deadline) {
                throw new IllegalStateException("control topic " + topic + " not reachable within " + timeout);
            }
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, Duration.ofSeconds(30));
        begin.forEach((tp, off) -> {
            if (off > 0) {
                throw new IllegalStateException(
                        "control topic " + tp + " starts at offset " + off + ": commands 0.." + (off - 1)
                                + " were deleted (retention), so this edge cannot know every switch; keep the control topic's retention at -1");
            }
        });
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        long applied = 0;
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "control topic " + topic + ": could not read up to " + end + " within " + timeout);
            }
            applied += pollOnce(Duration.ofMillis(200));
        }
        LOG.info(
                "edge {}: control topic {} caught up: {} commands read, {} applied, offsets {}",
                edge.settings().edgeId(),
                topic,
                end.values().stream().mapToLong(Long::longValue).sum(),
                applied,
                end);
    }

    /** Follows the topic on its own thread until {@link #close}. */
    public ControlFeed follow() {
        follower = new Thread(
                () -> {
                    while (running.get()) {
                        try {
                            pollOnce(Duration.ofMillis(100));
                        } catch (org.apache.kafka.common.errors.WakeupException e) {
                            return;
                        } catch (RuntimeException e) {
                            LOG.warn(
                                    "edge {}: control topic read failed, retrying: {}",
                                    edge.settings().edgeId(),
                                    e.toString());
                            try {
                                Thread.sleep(500);
                            } catch (InterruptedException ie) {
                                return;
                            }
                        }
                    }
                },
                "edge-" + edge.settings().edgeId() + "-control");
        follower.setDaemon(true);
        follower.start();
        return this;
    }

    private int pollOnce(Duration wait) {
        int applied = 0;
        for (ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
            ControlCommand c;
            try {
                c = ControlCommand.fromByteBuffer(ByteBuffer.wrap(r.value()));
            } catch (Exception e) {
                LOG.error(
                        "edge {}: control record at offset {} is not a ControlCommand, skipped: {}",
                        edge.settings().edgeId(),
                        r.offset(),
                        e.toString());
                edge.metrics().controlIgnored.increment();
                edge.controlApplied(r.offset() + 1);
                continue;
            }
            if (switches.apply(c) == Switches.Outcome.APPLIED) {
                edge.metrics().controlApplied.increment();
                applied++;
            } else {
                edge.metrics().controlIgnored.increment();
            }
            edge.controlApplied(r.offset() + 1);
        }
        return applied;
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        if (follower != null) {
            try {
                follower.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
