package io.redpacket.flinkcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The parts of the fixture that need no running cluster: layout, config, command lines, output parsing. */
class LocalFlinkClusterTest {

    /** Under target/, not a JUnit temp dir: lib/ holds links into the Maven repository that JUnit warns about. */
    private static Path scratch() throws IOException {
        return Files.createDirectories(Path.of("target", "unit", Long.toString(System.nanoTime())));
    }

    @Test
    void libHoldsTheRecordedJarsAndHadoopStaysOutsideIt() throws IOException {
        Path dir = scratch();
        FlinkHome home = FlinkHome.create(dir.resolve("flink"));
        List<String> lib;
        try (var s = Files.list(home.lib)) {
            lib = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(lib)
                .contains(
                        "flink-runtime-2.2.0.jar",
                        "flink-clients-2.2.0.jar",
                        "flink-streaming-java-2.2.0.jar",
                        "flink-connector-files-2.2.0.jar",
                        "flink-statebackend-rocksdb-2.2.0.jar",
                        "flink-runtime-web-2.2.0.jar",
                        "flink-hadoop-fs-2.2.0.jar",
                        "slf4j-api-1.7.36.jar",
                        "log4j-slf4j-impl-2.24.3.jar");
        // Jobs must bring these themselves, as on a stock cluster; Hadoop comes from HADOOP_CLASSPATH, the reporter is
        // a plugin.
        assertThat(lib)
                .noneMatch(n -> n.startsWith("flink-connector-base")
                        || n.startsWith("flink-connector-kafka")
                        || n.startsWith("flink-avro")
                        || n.startsWith("flink-parquet")
                        || n.startsWith("avro")
                        || n.startsWith("hadoop")
                        || n.startsWith("slf4j-api-2")
                        || n.startsWith("log4j-slf4j2")
                        || n.startsWith("flink-metrics-prometheus"));
        assertThat(home.plugins.resolve("metrics-prometheus/flink-metrics-prometheus-2.2.0.jar"))
                .isRegularFile();
        assertThat(home.classpath(null)).contains("hadoop-client-api-3.4.2.jar", "hadoop-client-runtime-3.4.2.jar");

        FlinkHome.create(dir.resolve("flink")); // a second start in the same directory lays it out afresh
        try (var s = Files.list(home.lib)) {
            assertThat(s.count()).isEqualTo(lib.size());
        }
    }

    @Test
    void configHoldsLoopbackPortsShapeAndTheCallersClusterSettings() throws IOException {
        Path dir = scratch();
        FlinkHome home = FlinkHome.create(dir);
        ClusterOptions o = ClusterOptions.defaults()
                .taskManagers(3)
                .slotsPerTaskManager(1)
                .checkpointDir("hdfs://127.0.0.1:9000/flink/checkpoints")
                .savepointDir("file:///tmp/sp")
                .stateBackend("rocksdb")
                .restartStrategy("none")
                .checkpointInterval("10s")
                .hadoopSetting("fs.defaultFS", "hdfs://127.0.0.1:9000")
                .set("taskmanager.numberOfTaskSlots", "4");
        Map<String, String> c =
                LocalFlinkCluster.flinkConfig(o, home, 18081, 16123, List.of(19250, 19251, 19252, 19253));
        assertThat(c)
                .containsEntry("rest.port", "18081")
                .containsEntry("rest.bind-address", "127.0.0.1")
                .containsEntry("jobmanager.rpc.port", "16123")
                .containsEntry("jobmanager.rpc.address", "127.0.0.1")
                .containsEntry("execution.checkpointing.dir", "hdfs://127.0.0.1:9000/flink/checkpoints")
                .containsEntry("execution.checkpointing.savepoint-dir", "file:///tmp/sp")
                .containsEntry("execution.checkpointing.interval", "10s")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("restart-strategy.type", "none")
                .containsEntry("metrics.reporter.prom.port", "19250-19253")
                .containsEntry("flink.hadoop.fs.defaultFS", "hdfs://127.0.0.1:9000")
                // an explicit setting wins over the shape options
                .containsEntry("taskmanager.numberOfTaskSlots", "4")
                .containsEntry("env.java.opts.all", LocalFlinkCluster.STOCK_JAVA_OPTS);
        assertThat(c.get("env.java.opts.all")).doesNotContain("avro");

        Map<String, String> unset = LocalFlinkCluster.flinkConfig(ClusterOptions.defaults(), home, 1, 2, List.of());
        assertThat(unset)
                .doesNotContainKeys(
                        "execution.checkpointing.dir",
                        "state.backend.type",
                        "restart-strategy.type",
                        "metrics.reporter.prom.factory.class");

        home.writeConfig(c);
        String yaml = Files.readString(home.configFile());
        assertThat(yaml)
                .contains("rest.port: 18081\n")
                .contains("execution.checkpointing.dir: hdfs://127.0.0.1:9000/flink/checkpoints\n")
                .contains("env.java.opts.all: '--add-exports=");
    }

    @Test
    void yamlAndShellQuotingKeepValuesIntact() {
        assertThat(FlinkHome.yamlScalar("512m")).isEqualTo("512m");
        assertThat(FlinkHome.yamlScalar("-Da=b")).isEqualTo("'-Da=b'");
        assertThat(FlinkHome.yamlScalar("it's a b")).isEqualTo("'it''s a b'");
        assertThat(FlinkHome.yamlScalar("")).isEqualTo("''");
        assertThat(FlinkHome.shellQuote("a'b c")).isEqualTo("'a'\\''b c'");
    }

    @Test
    void runBuildsFlinkRunDetachedWithSavepointParallelismAndMainClass() {
        FlinkRun run = FlinkRun.jar(Path.of("/jobs/settle.jar"))
                .mainClass("x.Job")
                .parallelism(2)
                .fromSavepoint("hdfs://nn/sp/savepoint-1")
                .allowNonRestoredState()
                .option("-Dpipeline.name=n")
                .args("--campaign", "hdfs://nn/c")
                .env("SECRET", "s");
        assertThat(run.cliArguments())
                .containsExactly(
                        "run",
                        "-d",
                        "-s",
                        "hdfs://nn/sp/savepoint-1",
                        "-n",
                        "-p",
                        "2",
                        "-c",
                        "x.Job",
                        "-Dpipeline.name=n",
                        "/jobs/settle.jar",
                        "--campaign",
                        "hdfs://nn/c");
        assertThat(run.environment()).containsEntry("SECRET", "s");
        assertThat(FlinkRun.jar(Path.of("/j.jar")).cliArguments()).containsExactly("run", "-d", "/j.jar");
    }

    @Test
    void resultReadsJobIdAndSavepointFromTheClientsOutput() {
        CliResult submitted = new CliResult(
                List.of("run"),
                0,
                "Job has been submitted with JobID 3f1e8a5c9b2d4e6f80a1b2c3d4e5f607\n",
                Path.of("c.out"));
        assertThat(submitted.jobId()).contains("3f1e8a5c9b2d4e6f80a1b2c3d4e5f607");
        CliResult stopped = new CliResult(
                List.of("stop"),
                0,
                "Suspending job \"x\" with a CANONICAL savepoint.\nSavepoint completed. Path: file:/tmp/sp/savepoint-3f1e8a-0123456789ab\n",
                Path.of("c.out"));
        assertThat(stopped.savepointPath()).contains("file:/tmp/sp/savepoint-3f1e8a-0123456789ab");
        CliResult failed = new CliResult(List.of("run", "-d", "j.jar"), 1, "boom", Path.of("c.out"));
        assertThatThrownBy(failed::requireSuccess)
                .hasMessageContaining("flink run -d j.jar exited with code 1")
                .hasMessageContaining("c.out")
                .hasMessageContaining("boom");
    }

    @Test
    @Timeout(30)
    void refusesATakenPortWithAClearMessage() throws IOException {
        Path dir = scratch();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> LocalFlinkCluster.start(
                            dir, ClusterOptions.defaults().restPort(taken.getLocalPort())))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Flink REST port " + taken.getLocalPort())
                    .hasMessageContaining("already in use");
        }
    }
}
