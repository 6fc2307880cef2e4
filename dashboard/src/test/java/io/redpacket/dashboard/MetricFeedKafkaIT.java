package io.redpacket.dashboard;

import static io.redpacket.dashboard.Samples.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redpacket.avro.LiveMetric;
import io.redpacket.kafka.LocalKafkaBrokerExtension;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The feed against a real KRaft broker: starts at the history window, follows the end, skips a bad record. */
@Timeout(180)
class MetricFeedKafkaIT {
    @RegisterExtension
    static final LocalKafkaBrokerExtension KAFKA = new LocalKafkaBrokerExtension();

    @Test
    void readsTheLastHistoryWindowThenFollowsTheTopic() throws Exception {
        String topic = KAFKA.newTopic("metrics", 2);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            // Ten minutes ago: outside a 60 s history, never read.
            send(producer, topic, now - 600_000, metric("settlement", "opens", 999, now - 600_000));
            send(producer, topic, now - 20_000, metric("settlement", "opens", 10, now - 20_000));
            producer.send(new ProducerRecord<>(topic, 0, now - 19_000, "settlement", new byte[] {1, 2, 3}))
                    .get(30, TimeUnit.SECONDS);
            send(producer, topic, now - 19_000, metric("settlement", "opens", 20, now - 19_000));
            MetricBoard board = new MetricBoard(Samples.plan(), 60);
            try (MetricFeed feed = new MetricFeed(KAFKA.bootstrapServers(), topic, 60_000, board).start()) {
                await("the two records of the last minute")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> board.records() == 2);
                send(
                        producer,
                        topic,
                        System.currentTimeMillis(),
                        metric("edge-1", "dispensed", 7, System.currentTimeMillis()));
                await("a record published after start")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> board.records() == 3);
                assertThat(feed.reading()).isTrue();
                assertThat(feed.undecodable()).isEqualTo(1);
                var v = board.view(Long.MIN_VALUE, System.currentTimeMillis());
                assertThat(v.get("totals").get("opens").asLong()).isEqualTo(20);
                assertThat(v.get("totals").get("dispensed").asLong()).isEqualTo(7);
            }
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, long timestamp, LiveMetric m)
            throws Exception {
        // Keyed by source, as the publishers do; the record timestamp is what the history window seeks by.
        producer.send(new ProducerRecord<>(
                        topic, 0, timestamp, m.getSource(), m.toByteBuffer().array()))
                .get(30, TimeUnit.SECONDS);
    }
}
