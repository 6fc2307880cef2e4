package io.redpacket.dashboard;

import io.redpacket.avro.LiveMetric;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the metrics topic into a {@link MetricBoard}: its own consumer, no group (partitions assigned, nothing
 * committed, so several dashboards never share or steal records), starting at the first record of the last
 * {@code historySeconds} so the charts are full at once, then following the end. Waits for the topic to exist
 * (a dashboard may start before the broker has it). An undecodable record is counted and skipped.
 */
public final class MetricFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricFeed.class);

    private final String bootstrap;
    private final String topic;
    private final long historyMs;
    private final MetricBoard board;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong undecodable = new AtomicLong();
    private final Thread thread;
    private volatile boolean assigned;

    public MetricFeed(String bootstrap, String topic, long historyMs, MetricBoard board) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.historyMs = historyMs;
        this.board = board;
        this.thread = new Thread(this::run, "metric-feed");
        this.thread.setDaemon(true);
    }

    public MetricFeed start() {
        thread.start();
        return this;
    }

    /** True once the topic's partitions are assigned and positioned. */
    public boolean reading() {
        return assigned;
    }

    public long undecodable() {
        return undecodable.get();
    }

    private void run() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "redpacket-dashboard");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = awaitPartitions(c);
            if (parts.isEmpty()) {
                return;
            }
            c.assign(parts);
            seekToHistory(c, parts);
            assigned = true;
            LOG.info("reading {} ({} partitions) from {} s back", topic, parts.size(), historyMs / 1000);
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    apply(r);
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (running.get()) {
                LOG.error("metrics feed stopped: {}", e.toString(), e);
            }
        }
    }

    private List<TopicPartition> awaitPartitions(KafkaConsumer<byte[], byte[]> c) {
        long warnedAt = 0;
        while (running.get()) {
            try {
                List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    List<TopicPartition> parts = new ArrayList<>();
                    infos.forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                    return parts;
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // Broker not up yet: keep trying.
            }
            if (System.currentTimeMillis() - warnedAt > 30_000) {
                warnedAt = System.currentTimeMillis();
                LOG.warn("waiting for topic {} on {}", topic, bootstrap);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return List.of();
    }

    private void seekToHistory(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> parts) {
        Map<TopicPartition, Long> query = new HashMap<>();
        long from = System.currentTimeMillis() - historyMs;
        parts.forEach(tp -> query.put(tp, from));
        Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(query, Duration.ofSeconds(30));
        for (TopicPartition tp : parts) {
            OffsetAndTimestamp o = found.get(tp);
            if (o != null) {
                c.seek(tp, o.offset());
            } else {
                c.seekToEnd(List.of(tp));
            }
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        try {
            board.accept(LiveMetric.fromByteBuffer(ByteBuffer.wrap(r.value())));
        } catch (java.io.IOException | RuntimeException e) {
            if (undecodable.incrementAndGet() == 1) {
                LOG.warn(
                        "skipping undecodable record {}/{}/{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5_000);
    }
}
