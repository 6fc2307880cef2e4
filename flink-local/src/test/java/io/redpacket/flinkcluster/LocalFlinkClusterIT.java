package io.redpacket.flinkcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.flinkcluster.testjob.CountingJob;
import io.redpacket.flinkcluster.testjob.FailingJob;
import io.redpacket.flinkcluster.testjob.FileSystemProbeJob;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * One real session cluster (a JobManager and two TaskManagers, three JVMs) for the job tests, started with
 * cluster-level checkpointing to a file:// directory, a default savepoint directory, restart-strategy none and the
 * Prometheus reporter. Jobs come from the module's test job jar (target/*-testjob.jar, built by mvn package), which
 * holds only the job classes: everything else must come from the cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalFlinkClusterIT {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);

    private final Path work =
            Path.of("target", "it-" + System.currentTimeMillis()).toAbsolutePath();
    private final Path jobJar =
            Path.of(System.getProperty("testjob.jar", "target/redpacket-flink-local-0.1.0-SNAPSHOT-testjob.jar"));
    private LocalFlinkCluster cluster;
    private List<Long> pids;

    @BeforeAll
    void startCluster() throws IOException {
        assertThat(jobJar).as("the test job jar (mvn package builds it)").isRegularFile();
        cluster = LocalFlinkCluster.start(
                work.resolve("flink"),
                ClusterOptions.defaults()
                        .checkpointDir(work.resolve("checkpoints").toUri().toString())
                        .savepointDir(work.resolve("savepoints-default").toUri().toString())
                        .checkpointInterval("1s")
                        .restartStrategy("none")
                        .prometheusPort(0));
        pids = cluster.pids();
    }

    /** A test that fails half way must not leave its job holding slots that the next test's job needs. */
    @AfterEach
    void cancelJobsLeftRunning() {
        if (cluster == null || !cluster.isRunning()) {
            return;
        }
        for (FlinkRest.Job job : cluster.jobs()) {
            if (job.state().equals("RUNNING")
                    || job.state().equals("CREATED")
                    || job.state().equals("RESTARTING")) {
                cluster.cancel(job.id());
                cluster.awaitTerminal(job.id(), JOB_TIMEOUT);
            }
        }
    }

    private static boolean hasCompletedCheckpoint(Path jobCheckpoints) {
        try (Stream<Path> dirs = Files.list(jobCheckpoints)) {
            return dirs.anyMatch(
                    d -> d.getFileName().toString().startsWith("chk-") && Files.isRegularFile(d.resolve("_metadata")));
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
            assertThat(pids)
                    .hasSize(3)
                    .allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
                            .as("process %d after close", pid)
                            .isNotEqualTo(java.util.Optional.of(true)));
        }
    }

    @Test
    @Timeout(600)
    void jobSpreadsOverBothTaskManagersCheckpointsToTheClusterDirAndResumesFromItsSavepoint() throws Exception {
        assertThat(cluster.rest().taskManagers())
                .extracting(FlinkRest.TaskManager::id)
                .containsExactlyInAnyOrder("tm-1", "tm-2");
        Path out1 = work.resolve("counting-1");
        String job1 = cluster.submit(FlinkRun.jar(jobJar)
                .mainClass(CountingJob.class.getName())
                .parallelism(2)
                .args(out1.toString(), "40"));
        cluster.awaitRunning(job1, JOB_TIMEOUT);

        // Parallelism 2 on two TaskManagers: every operator has a subtask on each.
        assertThat(cluster.rest().taskManagersByVertex(job1))
                .isNotEmpty()
                .allSatisfy((vertex, tms) -> assertThat(tms).as(vertex).containsExactlyInAnyOrder("tm-1", "tm-2"));

        // Checkpoints go where the cluster's config.yaml says; the job sets nothing.
        awaitCondition(() -> cluster.rest().completedCheckpoints(job1) >= 2, "two completed checkpoints of " + job1);
        String checkpoint = cluster.rest().latestCheckpointPath(job1).orElseThrow();
        assertThat(checkpoint).startsWith("file:" + work.resolve("checkpoints").resolve(job1) + "/chk-");
        // The checkpoint named above may be subsumed (and deleted) by the next one before it is looked at; the
        // cluster keeps its latest completed one on disk.
        Path jobCheckpoints = work.resolve("checkpoints").resolve(job1);
        awaitCondition(
                () -> hasCompletedCheckpoint(jobCheckpoints),
                "a completed checkpoint's _metadata under " + jobCheckpoints);

        awaitCondition(() -> lines(out1).size() >= 40, "40 lines from the first run");
        String savepoint1 = cluster.stopWithSavepoint(
                job1, work.resolve("savepoints").toUri().toString());
        assertThat(savepoint1).startsWith("file:" + work.resolve("savepoints"));
        assertThat(Path.of(URI.create(savepoint1)).resolve("_metadata")).isRegularFile();
        assertThat(cluster.jobState(job1)).isEqualTo("FINISHED");
        List<String[]> first = lines(out1);

        Path out2 = work.resolve("counting-2");
        String job2 = cluster.submit(FlinkRun.jar(jobJar)
                .mainClass(CountingJob.class.getName())
                .parallelism(2)
                .fromSavepoint(savepoint1)
                .args(out2.toString(), "40"));
        cluster.awaitRunning(job2, JOB_TIMEOUT);
        awaitCondition(() -> lines(out2).size() >= 40, "40 lines from the resumed run");
        // No --savepointPath: the cluster's execution.checkpointing.savepoint-dir.
        String savepoint2 = cluster.stopWithSavepoint(job2);
        assertThat(savepoint2).startsWith("file:" + work.resolve("savepoints-default"));
        List<String[]> second = lines(out2);

        // Keyed state carried over: each key's counter continues from its last value before the savepoint.
        Map<String, Long> lastBefore = maxCountPerKey(first);
        Map<String, Long> firstAfter = second.stream()
                .collect(Collectors.toMap(l -> l[0], l -> Long.parseLong(l[1]), Math::min, TreeMap::new));
        assertThat(lastBefore).hasSize(16);
        // Both sink subtasks (one per TaskManager) received keys.
        assertThat(linesPerSubtask(out1))
                .containsOnlyKeys("0", "1")
                .allSatisfy((subtask, n) -> assertThat(n).isPositive());
        firstAfter.forEach((key, count) ->
                assertThat(count).as("first count of key %s after resume", key).isEqualTo(lastBefore.get(key) + 1));
        // Per key, the counts of both runs together are 1..n without gaps or repeats, and no value was read twice:
        // the source's position came back with the savepoint too.
        List<String[]> all = new ArrayList<>(first);
        all.addAll(second);
        Map<String, List<Long>> countsPerKey = all.stream()
                .collect(Collectors.groupingBy(
                        l -> l[0], Collectors.mapping(l -> Long.parseLong(l[1]), Collectors.toList())));
        countsPerKey.forEach((key, counts) -> assertThat(
                        counts.stream().sorted().toList())
                .as("counts of key %s", key)
                .isEqualTo(Stream.iterate(1L, c -> c + 1).limit(counts.size()).toList()));
        assertThat(all.stream().map(l -> l[2]).collect(Collectors.toSet())).hasSize(all.size());

        assertThat(cluster.jobs())
                .extracting(FlinkRest.Job::id, FlinkRest.Job::state)
                .contains(
                        org.assertj.core.groups.Tuple.tuple(job1, "FINISHED"),
                        org.assertj.core.groups.Tuple.tuple(job2, "FINISHED"));
    }

    @Test
    @Timeout(300)
    void cancelEndsARunningJob() {
        String job = cluster.submit(FlinkRun.jar(jobJar)
                .mainClass(CountingJob.class.getName())
                .parallelism(1)
                .args(work.resolve("counting-cancel").toString(), "5"));
        cluster.awaitRunning(job, JOB_TIMEOUT);
        cluster.cancel(job);
        assertThat(cluster.awaitTerminal(job, JOB_TIMEOUT)).isEqualTo("CANCELED");
    }

    @Test
    @Timeout(300)
    void aFailingJobIsReportedWithItsCause() {
        String message = "test failure " + System.nanoTime();
        String job = cluster.submit(
                FlinkRun.jar(jobJar).mainClass(FailingJob.class.getName()).args(message));
        assertThatThrownBy(() -> cluster.awaitRunning(job, JOB_TIMEOUT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is FAILED")
                .hasMessageContaining("IllegalStateException: " + message);
        assertThat(cluster.exceptionHistory(job)).contains(message);
        assertThat(cluster.rest().failures(job))
                .isNotEmpty()
                .allSatisfy(f -> assertThat(f).contains(message));
    }

    @Test
    @Timeout(300)
    void aSubmissionThatFailsInTheClientReturnsItsExitCodeAndOutput() {
        CliResult r = cluster.run(jobJar, "io.redpacket.flinkcluster.testjob.NoSuchJob");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.jobId()).isEmpty();
        assertThat(r.output()).contains("io.redpacket.flinkcluster.testjob.NoSuchJob");
        assertThatThrownBy(r::requireSuccess)
                .hasMessageContaining("exited with code " + r.exitCode())
                .hasMessageContaining(r.outputFile().toString());
    }

    @Test
    @Timeout(300)
    void hdfsResolvesToHadoopsFileSystemOnTheClientAndOnEveryTaskManager() throws Exception {
        assertThat(Files.readString(cluster.logDir().resolve("jobmanager.log"))).contains("Hadoop version: 3.4.2");
        Path out = work.resolve("fs-probe");
        // Nothing listens there: resolving the scheme must not need a NameNode.
        String uri = "hdfs://127.0.0.1:9/redpacket/probe";
        String secret = "not-on-the-command-line";
        CliResult r = cluster.run(FlinkRun.jar(jobJar)
                        .mainClass(FileSystemProbeJob.class.getName())
                        // One probe per slot of the cluster: with fewer, the scheduler may place all of them on one
                        // TaskManager (seen in CI when another test's slots were still being released).
                        .args(uri, out.toString(), "4")
                        .env("REDPACKET_PROBE_SECRET", secret))
                .requireSuccess();
        assertThat(r.output())
                .contains("client: org.apache.flink.runtime.fs.hdfs.HadoopFileSystem")
                .contains("client secret length: " + secret.length());
        assertThat(r.arguments()).doesNotContain(secret);
        String job = r.jobId().orElseThrow();
        assertThat(cluster.awaitTerminal(job, JOB_TIMEOUT))
                .as(cluster.exceptionHistory(job))
                .isEqualTo("FINISHED");

        List<String[]> probes = lines(out);
        assertThat(probes)
                .hasSize(4)
                .allSatisfy(p -> assertThat(p[1] + "," + p[2])
                        .isEqualTo("org.apache.flink.runtime.fs.hdfs.HadoopFileSystem,true"));
        Set<Long> taskManagerPids = new HashSet<>(pids.subList(1, 3));
        assertThat(probes.stream().map(p -> Long.parseLong(p[0])).collect(Collectors.toSet()))
                .isEqualTo(taskManagerPids);
    }

    @Test
    @Timeout(120)
    void everyProcessServesPrometheusMetrics() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<String> bodies = new ArrayList<>();
        for (int port : cluster.prometheusPorts()) {
            HttpResponse<String> resp = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).isEqualTo(200);
            bodies.add(resp.body());
        }
        assertThat(bodies).hasSize(3);
        assertThat(bodies)
                .filteredOn(b -> b.contains("flink_jobmanager_numRegisteredTaskManagers"))
                .hasSize(1);
        assertThat(bodies)
                .filteredOn(b -> b.contains("flink_taskmanager_Status_JVM_CPU_Load"))
                .hasSize(2);
    }

    @Test
    @Timeout(120)
    void theWebUiIsServedOnTheRestPort() throws Exception {
        HttpResponse<String> resp = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(cluster.restUrl() + "/"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.body()).contains("<title>Apache Flink Web Dashboard</title>");
    }

    @Test
    @Timeout(120)
    void theGeneratedFlinkScriptTalksToTheCluster() throws Exception {
        Process p = new ProcessBuilder(cluster.flinkScript().toString(), "list", "-a")
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
        assertThat(output).doesNotContain("Exception");
    }

    @Test
    @Timeout(300)
    void aProcessThatCannotStartFailsTheStartNamingItsOutputAndLeavesNoProcess() {
        Path dir = work.resolve("broken-jvm");
        assertThatThrownBy(() -> LocalFlinkCluster.start(
                        dir, ClusterOptions.defaults().taskManagers(1).jvmArg("-XX:+NoSuchFlag")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining(dir.resolve("log").toString())
                .hasMessageContaining("Unrecognized VM option 'NoSuchFlag'");
        assertThat(processesUnder(dir)).isEmpty();
    }

    @Test
    @Timeout(300)
    void aMemorySettingFlinkRejectsFailsTheStartWithFlinksMessage() {
        Path dir = work.resolve("broken-memory");
        assertThatThrownBy(() ->
                        LocalFlinkCluster.start(dir, ClusterOptions.defaults().taskManagerProcessSize("200m")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("GET_TM_RESOURCE_PARAMS")
                .hasMessageContaining(
                        dir.resolve("log").resolve("bash-java-utils-tm.out").toString())
                .hasMessageContaining("TaskManager memory configuration failed");
        assertThat(processesUnder(dir)).isEmpty();
    }

    private static List<String> processesUnder(Path dir) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains(dir.toString()))
                .toList();
    }

    private static List<String[]> lines(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String[]> out = new ArrayList<>();
            for (Path f : files.sorted().toList()) {
                String text = Files.readString(f);
                // A line still being written has no newline yet: only complete lines count.
                for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
                    if (!line.isEmpty()) {
                        out.add(line.split(","));
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Lines per sink subtask, from the file names part-SUBTASK-ATTEMPT-UUID.txt. */
    private static Map<String, Integer> linesPerSubtask(Path dir) throws IOException {
        Map<String, Integer> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                out.merge(
                        f.getFileName().toString().split("-")[1],
                        Files.readAllLines(f).size(),
                        Integer::sum);
            }
        }
        return out;
    }

    private static Map<String, Long> maxCountPerKey(List<String[]> lines) {
        return lines.stream().collect(Collectors.toMap(l -> l[0], l -> Long.parseLong(l[1]), Math::max, TreeMap::new));
    }

    private static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(250);
        }
    }
}
