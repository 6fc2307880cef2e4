package io.redpacket.dashboard;

import static io.redpacket.dashboard.ReviewDecisionsTest.decision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.cli.CommandLines;
import io.redpacket.io.AvroFiles;
import io.redpacket.kafka.LocalKafkaBrokerExtension;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code redpacket review} against a real KRaft broker: every decision of the file on the control topic, in order, audited. */
@Timeout(180)
class ReviewKafkaIT {
    @RegisterExtension
    static final LocalKafkaBrokerExtension KAFKA = new LocalKafkaBrokerExtension();

    @TempDir
    Path tmp;

    @Test
    void publishesEachDecisionOnTheControlTopicAndAuditsIt() throws Exception {
        String topic = KAFKA.newTopic("control", 1);
        Path decisions = tmp.resolve("review_decisions.avro");
        AvroFiles.writeAll(
                decisions,
                List.of(
                        decision("gran", ControlAction.RELEASE_ACCOUNT),
                        decision("farm-7", ControlAction.CONFIRM_FRAUD)),
                ControlCommand.getClassSchema());
        Path audit = tmp.resolve("audit.log");

        assertThat(CommandLines.execute(
                        new DashboardCli(),
                        "review",
                        "--decisions",
                        decisions.toString(),
                        "--kafka",
                        KAFKA.bootstrapServers(),
                        "--operator",
                        "alice",
                        "--control-topic",
                        topic,
                        "--audit-log",
                        audit.toString()))
                .isEqualTo(CommandLines.OK);

        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        List<ControlCommand> published = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            await("both decisions on the control topic")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> {
                        for (var r : c.poll(Duration.ofMillis(500))) {
                            published.add(ControlCommand.fromByteBuffer(ByteBuffer.wrap(r.value())));
                        }
                        return published.size() >= 2;
                    });
        }
        assertThat(published)
                .extracting(ControlCommand::getUserId, ControlCommand::getAction, ControlCommand::getOperator)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("gran", ControlAction.RELEASE_ACCOUNT, "alice"),
                        org.assertj.core.groups.Tuple.tuple("farm-7", ControlAction.CONFIRM_FRAUD, "alice"));
        List<String> lines = Files.readAllLines(audit);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1))
                .contains(
                        "\"action\":\"confirm-fraud\"",
                        "\"userId\":\"farm-7\"",
                        "\"outcome\":\"published\"",
                        "\"operator\":\"alice\"");
    }
}
