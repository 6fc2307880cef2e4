package io.redpacket.edge.kafka;

import io.redpacket.edge.metrics.EdgeMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes open events with an idempotent producer (acks=all): an answered open is on every in-sync replica,
 * and producer retries never write a duplicate. The callback runs on the producer's I/O thread; callers must
 * not block there. {@code send} itself never waits long: metadata is fetched at start, the in-flight bound of
 * the edge keeps the buffer far from full, and {@code max.block.ms} is small, so the event loop is not held.
 */
public final class KafkaOpenSink implements OpenSink {
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final EdgeMetrics metrics;
    private final java.util.concurrent.ThreadPoolExecutor sender;

    public KafkaOpenSink(
            String bootstrapServers, String topic, int edgeId, Duration deliveryTimeout, EdgeMetrics metrics) {
        this(bootstrapServers, topic, edgeId, deliveryTimeout, metrics, 100_000);
    }

    public KafkaOpenSink(
            String bootstrapServers,
            String topic,
            int edgeId,
            Duration deliveryTimeout,
            EdgeMetrics metrics,
            int maxQueued) {
        this.sender = new java.util.concurrent.ThreadPoolExecutor(
                1,
                1,
                0,
                java.util.concurrent.TimeUnit.MILLISECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(maxQueued),
                r -> {
                    Thread t = new Thread(r, "edge-" + edgeId + "-kafka-send");
                    t.setDaemon(true);
                    return t;
                });
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "redpacket-edge-" + edgeId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
        // Keep the cached topic metadata while the brokers are away: with the default (rebootstrap) the producer
        // forgets the topic and fails sends after max.block.ms instead of holding them until delivery.timeout.ms.
        p.put(CommonClientConfigs.METADATA_RECOVERY_STRATEGY_CONFIG, "none");
        int delivery = (int) deliveryTimeout.toMillis();
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, Math.min(30_000, delivery / 2)));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        this.topic = topic;
        this.metrics = metrics;
    }

    /** Fetches the topic's metadata now (blocking, at startup) so the first send does not wait on the event loop. */
    public void warmUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                producer.partitionsFor(topic);
                return;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new IllegalStateException("Kafka topic " + topic + " not reachable within " + timeout, last);
    }

    @Override
    public CompletableFuture<Void> publish(String key, byte[] value) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long start = System.nanoTime();
        try {
            sender.execute(() -> send(key, value, start, done));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            metrics.kafkaFailures.increment();
            done.completeExceptionally(e);
        }
        return done;
    }

    private void send(String key, byte[] value, long start, CompletableFuture<Void> done) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value), (md, ex) -> {
                metrics.kafkaLatency(System.nanoTime() - start);
                if (ex == null) {
                    metrics.kafkaSent.increment();
                    done.complete(null);
                } else {
                    metrics.kafkaFailures.increment();
                    done.completeExceptionally(ex);
                }
            });
        } catch (RuntimeException e) {
            metrics.kafkaFailures.increment();
            done.completeExceptionally(e);
        }
    }

    private final AtomicInteger livePending = new AtomicInteger();
    private final AtomicLong liveFailures = new AtomicLong();

    /** Live metric records Kafka did not take (logged by the edge; not open failures). */
    public long liveFailures() {
        return liveFailures.get();
    }

    /**
     * The edge's live metrics for the dashboard, through the same producer as the opens but not through the open
     * queue, so they never take an open's place. Called once a second from one thread; skips a round (returns
     * false) while the previous round is still unacknowledged, so a broker outage does not pile them up.
     * Failures are not open failures: they are logged by the caller, never counted as final system failures.
     */
    public boolean publishLive(String topic, String key, List<byte[]> values) {
        if (livePending.get() > 0) {
            return false;
        }
        for (byte[] v : values) {
            livePending.incrementAndGet();
            try {
                producer.send(new ProducerRecord<>(topic, key, v), (md, ex) -> {
                    if (ex != null) {
                        liveFailures.incrementAndGet();
                    }
                    livePending.decrementAndGet();
                });
            } catch (RuntimeException e) {
                livePending.decrementAndGet();
                throw e;
            }
        }
        return true;
    }

    /** Waits up to {@code timeout} for the live metric records sent so far to be acknowledged; answers whether they were. */
    public boolean awaitLiveAcknowledged(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (livePending.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}
