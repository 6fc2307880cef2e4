package io.redpacket.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.LiveMetric;
import io.redpacket.avro.OpenEvent;
import io.redpacket.flinkcluster.ClusterOptions;
import io.redpacket.flinkcluster.FlinkRun;
import io.redpacket.flinkcluster.LocalFlinkCluster;
import io.redpacket.hadoop.LocalHdfs;
import io.redpacket.io.FileStore;
import io.redpacket.io.Locations;
import io.redpacket.kafka.LocalKafkaBroker;
import io.redpacket.settlement.io.FlinkFileStore;
import io.redpacket.testkit.GeneratedCampaign;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Settlement as a normal Flink job (issue 13): the {@code -job} jar submitted with a real {@code flink run} to a
 * session cluster of a JobManager and two TaskManagers (three JVMs, stock configuration: no Avro flag, no password,
 * RocksDB and checkpoints on HDFS set by the cluster's config.yaml); the campaign, the password file and the
 * settlement logs on a real HDFS (NameNode + DataNode); a real Kafka broker. Stopped with a savepoint on HDFS and
 * resubmitted from it with {@code flink run -s}; the credits topic read with read_committed holds every accepted
 * envelope exactly once, and each TaskManager loaded only its share of the pre-generated records.
 */
@Timeout(1500)
class SettlementOnFlinkClusterIT {
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final String CLAIM_VERTEX = "claim envelopes";
    private static final String LOADED = ".pregenerated_records_loaded";

    private final Path work =
            Path.of("target", "it-cluster-" + System.currentTimeMillis()).toAbsolutePath();
    private final Path jobJar = Path.of(
            System.getProperty("settlement.job.jar", "target/redpacket-settlement-stream-0.1.0-SNAPSHOT-job.jar"));

    @Test
    void settlesACampaignOnHdfsOnTwoTaskManagersAndResumesFromASavepoint() throws Exception {
        assertThat(jobJar).as("the job jar (mvn package builds it)").isRegularFile();
        try (LocalHdfs hdfs = LocalHdfs.start(work.resolve("hdfs"));
                LocalKafkaBroker broker = LocalKafkaBroker.start(work.resolve("kafka"));
                LocalFlinkCluster flink = LocalFlinkCluster.start(
                        work.resolve("flink"),
                        ClusterOptions.defaults()
                                .checkpointDir(hdfs.uri("/flink/checkpoints"))
                                .savepointDir(hdfs.uri("/flink/savepoints"))
                                .checkpointInterval("1s")
                                .stateBackend("rocksdb")
                                .restartStrategy("none"))) {
            // a stock cluster: nothing settlement-specific in its configuration
            String clusterConfig = Files.readString(flink.configDir().resolve("config.yaml"));
            assertThat(clusterConfig)
                    .doesNotContain("SERIALIZABLE_PACKAGES")
                    .doesNotContain(new String(Fixtures.PASSWORD));

            // 20 blocks of 1,024 envelopes (the claim step's key), so that both TaskManagers own some
            List<GeneratedCampaign.Line> lines = List.of(
                    new GeneratedCampaign.Line("s1", "cash", 5_120, 100, 500),
                    new GeneratedCampaign.Line("s2", "cash", 5_120, 100, 500),
                    new GeneratedCampaign.Line("s3", "cash", 5_120, 100, 500),
                    new GeneratedCampaign.Line("s4", "cash", 5_120, 100, 500));
            GeneratedCampaign c = GeneratedCampaign.builder()
                    .lines(lines)
                    .shards(4)
                    .startMs(Fixtures.START_MS)
                    .slotMs(Fixtures.END_MS - Fixtures.START_MS)
                    .password(Fixtures.PASSWORD)
                    .build(work.resolve("generated/v1"));
            URI variant = URI.create(hdfs.uri("/campaigns/sample/v1"));
            copyToHdfs(c.dir, variant);
            URI passwordFile = URI.create(hdfs.uri("/secrets/keystore-password"));
            try (OutputStream out = FlinkFileStore.INSTANCE.create(passwordFile)) {
                out.write((new String(Fixtures.PASSWORD) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            SettlementConfig.TopicNames t = new SettlementConfig.TopicNames(
                    "c.opens", "c.credits", "c.rejects", "c.metrics", "c.control", "c.flags");
            for (String topic : List.of(t.opens(), t.credits(), t.rejects(), t.metrics(), t.control(), t.flags())) {
                broker.createTopic(topic, topic.equals(t.opens()) || topic.equals(t.credits()) ? 2 : 1);
            }
            URI out = URI.create(hdfs.uri("/settlement/sample"));
            List<String> args = List.of(
                    "--campaign",
                    variant.toString(),
                    "--kafka",
                    broker.bootstrapServers(),
                    "--out",
                    out.toString(),
                    "--password-file",
                    passwordFile.toString(),
                    "--group-id",
                    "cluster-it",
                    "--from-earliest",
                    "--topic-opens",
                    t.opens(),
                    "--topic-credits",
                    t.credits(),
                    "--topic-rejects",
                    t.rejects(),
                    "--topic-metrics",
                    t.metrics(),
                    "--topic-control",
                    t.control(),
                    "--topic-flags",
                    t.flags());

            // 160 envelopes across every block opened once each, half before each run
            List<OpenEvent> firstHalf = new ArrayList<>();
            List<OpenEvent> secondHalf = new ArrayList<>();
            long expectedFen = 0;
            for (int i = 0; i < 160; i++) {
                int id = i * 128;
                (i % 2 == 0 ? firstHalf : secondHalf).add(open(c, "open-" + i, id, "user-" + i));
                expectedFen += c.amountFen(id);
            }
            // options a cluster cannot honour are refused in the client, before anything is submitted (exit 2)
            List<String> wrong = new ArrayList<>(args);
            wrong.addAll(List.of("--prometheus-port", "9250", "--checkpoint-dir", "nosuchfs://host/checkpoints"));
            io.redpacket.flinkcluster.CliResult refused =
                    flink.run(FlinkRun.jar(jobJar).parallelism(2).args(wrong));
            assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
            assertThat(refused.jobId()).isEmpty();
            assertThat(refused.output())
                    .contains("--prometheus-port: only for local runs")
                    .contains("--checkpoint-dir: nosuchfs://host/checkpoints");

            try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(broker.bootstrapServers())) {
                // already waiting when the job starts: these opens must wait for the records, not be rejected
                KafkaTestSupport.sendOpens(producer, t.opens(), firstHalf);
                String job1 = flink.submit(FlinkRun.jar(jobJar).parallelism(2).args(args));
                flink.awaitRunning(job1, WAIT);

                // each TaskManager loaded a share of the records, together all of them, each exactly once
                Map<String, Long> loaded = awaitLoaded(flink, job1, (int) c.envelopeCount());
                System.out.println("pre-generated records loaded per TaskManager: " + loaded);
                assertThat(loaded)
                        .containsOnlyKeys("tm-1", "tm-2")
                        .allSatisfy((tm, n) -> assertThat(n).as(tm).isPositive().isLessThan((int) c.envelopeCount()));
                flink.rest().taskManagersByVertex(job1).forEach((v, tms) -> {
                    if (v.contains(CLAIM_VERTEX) || v.contains("pre-generated envelopes")) {
                        assertThat(tms).as(v).containsExactlyInAnyOrder("tm-1", "tm-2");
                    }
                });

                KafkaTestSupport.readCommitted(
                        broker.bootstrapServers(),
                        t.credits(),
                        CreditInstruction::fromByteBuffer,
                        l -> l.size() >= firstHalf.size(),
                        WAIT);
                // checkpoints where the cluster's config.yaml puts them: on HDFS
                awaitCondition(() -> flink.rest().completedCheckpoints(job1) >= 1, "a completed checkpoint");
                assertThat(flink.rest().latestCheckpointPath(job1).orElseThrow())
                        .startsWith(hdfs.uri("/flink/checkpoints/" + job1));

                String savepoint = flink.stopWithSavepoint(job1);
                assertThat(savepoint).startsWith(hdfs.uri("/flink/savepoints"));
                assertThat(flink.jobState(job1)).isEqualTo("FINISHED");

                // the second half; identical redeliveries of ten first-half events; five first-half envelopes
                // opened again under new event ids
                List<OpenEvent> redelivered = firstHalf.subList(0, 10);
                List<OpenEvent> replayed = KafkaTestSupport.replayedUnderNewIds(firstHalf.subList(10, 15));
                KafkaTestSupport.sendOpens(producer, t.opens(), secondHalf);
                KafkaTestSupport.sendOpens(producer, t.opens(), redelivered);
                KafkaTestSupport.sendOpens(producer, t.opens(), replayed);
                String job2 = flink.submit(FlinkRun.jar(jobJar)
                        .parallelism(2)
                        .fromSavepoint(savepoint)
                        .args(args));
                flink.awaitRunning(job2, WAIT);

                KafkaTestSupport.readCommitted(
                        broker.bootstrapServers(),
                        t.credits(),
                        CreditInstruction::fromByteBuffer,
                        l -> l.size() >= 160,
                        WAIT);
                KafkaTestSupport.readCommitted(
                        broker.bootstrapServers(),
                        t.metrics(),
                        LiveMetric::fromByteBuffer,
                        l -> l.stream()
                                .anyMatch(m ->
                                        m.getName().equals("redelivered_opens") && m.getValue() == redelivered.size()),
                        WAIT);
                KafkaTestSupport.assertSettledExactlyOnce(broker, t, "cluster-it", 160, expectedFen, replayed, WAIT);

                // resumed from the savepoint, the records came back with the state: nothing was loaded again
                awaitCondition(() -> loadedPerTaskManager(flink, job2).size() == 2, "the resumed job's metrics");
                assertThat(loadedPerTaskManager(flink, job2))
                        .containsOnlyKeys("tm-1", "tm-2")
                        .containsValues(0L, 0L);
                // the settlement logs are on HDFS
                awaitCondition(() -> parquetFiles(Locations.child(out, "credits")) > 0, "credit log files on HDFS");
                flink.cancel(job2);
            }
        }
    }

    private static OpenEvent open(GeneratedCampaign c, String eventId, long envelopeId, String user) {
        long shake = System.currentTimeMillis() - 1_000;
        OpenEvent e = Fixtures.open(eventId, Fixtures.token(c, envelopeId, user, shake), user, shake + 500);
        e.setEnvelopeId(envelopeId);
        return e;
    }

    /** Copies a generated variant, byte for byte, through Flink's file system (what a data engineer's put would do). */
    private static void copyToHdfs(Path local, URI target) throws Exception {
        try (Stream<Path> files = Files.walk(local)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                URI to = Locations.child(target, local.relativize(f).toString().replace('\\', '/'));
                try (OutputStream o = FlinkFileStore.INSTANCE.create(to)) {
                    Files.copy(f, o);
                }
            }
        }
    }

    private static long parquetFiles(URI dir) {
        try {
            return FlinkFileStore.INSTANCE.listFiles(dir).stream()
                    .map(FileStore.Entry::uri)
                    .filter(u -> Locations.fileName(u).endsWith(".parquet")
                            && !Locations.fileName(u).startsWith("."))
                    .count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** Waits until the claim step's subtasks report all records loaded; returns what each TaskManager loaded. */
    private static Map<String, Long> awaitLoaded(LocalFlinkCluster flink, String job, long total)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Long> perTm = Map.of();
        while (System.nanoTime() < deadline) {
            perTm = loadedPerTaskManager(flink, job);
            if (perTm.values().stream().mapToLong(Long::longValue).sum() == total) {
                return perTm;
            }
            Thread.sleep(1_000);
        }
        throw new AssertionError(
                "records loaded per TaskManager after " + WAIT + ": " + perTm + ", expected " + total + " in all");
    }

    /** The claim step's {@code pregenerated_records_loaded} counter of each subtask, by the TaskManager it runs on. */
    private static Map<String, Long> loadedPerTaskManager(LocalFlinkCluster flink, String job) {
        String vertex = null;
        for (JsonNode v : flink.rest().get("/jobs/" + job).path("vertices")) {
            if (v.path("name").asText().contains(CLAIM_VERTEX)) {
                vertex = v.path("id").asText();
            }
        }
        assertThat(vertex).as("the claim step's vertex").isNotNull();
        String base = "/jobs/" + job + "/vertices/" + vertex;
        Map<String, String> tmOfSubtask = new TreeMap<>();
        for (JsonNode s : flink.rest().get(base).path("subtasks")) {
            tmOfSubtask.put(s.path("subtask").asText(), s.path("taskmanager-id").asText());
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode m : flink.rest().get(base + "/metrics")) {
            if (m.path("id").asText().endsWith(LOADED)) {
                ids.add(m.path("id").asText());
            }
        }
        Map<String, Long> perTm = new TreeMap<>();
        if (ids.isEmpty()) {
            return perTm;
        }
        for (JsonNode m : flink.rest().get(base + "/metrics?get=" + String.join(",", ids))) {
            String id = m.path("id").asText();
            perTm.merge(
                    tmOfSubtask.get(id.substring(0, id.indexOf('.'))),
                    m.path("value").asLong(),
                    Long::sum);
        }
        return perTm;
    }

    private static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(500);
        }
    }
}
