package io.redpacket.sparkcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redpacket.hadoop.LocalHdfs;
import io.redpacket.hadoop.OwnerOnlyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The recipe for Spark with authentication and network encryption on a standalone cluster: one shared secret for
 * the master, the workers and the application, given in owner-only files (the daemons' conf/spark-defaults.conf,
 * the application's --properties-file) and never on a command line; the worker hands it to its executors in their
 * environment.
 */
@Timeout(900)
class EncryptedSparkClusterIT {
    private static final Path WORK = Path.of("target", "it-" + EncryptedSparkClusterIT.class.getSimpleName())
            .toAbsolutePath();

    @Test
    void anApplicationWithTheSecretRunsEncryptedOnBothExecutorsAndOneWithoutItIsRefused() throws Exception {
        Probe.deleteRecursively(WORK);
        List<ProcessHandle> started;
        try (LocalHdfs hdfs = LocalHdfs.start(WORK.resolve("hdfs"));
                LocalSparkCluster cluster = LocalSparkCluster.builder(WORK.resolve("spark"))
                        .authenticate(true)
                        .start()) {
            String secret = load(cluster.authPropertiesFile()).getProperty("spark.authenticate.secret");
            assertThat(secret).hasSizeGreaterThanOrEqualTo(64);
            for (Path f :
                    List.of(cluster.authPropertiesFile(), cluster.sparkHome().resolve("conf/spark-defaults.conf"))) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                        .as("%s", f)
                        .isEqualTo("rw-------");
            }
            String in = Probe.writeInput(hdfs, "/secure/in.txt");

            // An application with another secret, started first so that it fails while the real one runs.
            Path wrong = OwnerOnlyFiles.write(
                    WORK.resolve("wrong-secret.properties"),
                    "spark.authenticate=true\n" + "spark.network.crypto.enabled=true\nspark.authenticate.secret="
                            + secret.replace('a', 'b').replace('1', '2') + "0\n");
            SparkApplication intruder = cluster.launch(Probe.submission(in, hdfs.uri("/secure/intruder"))
                    .propertiesFile(wrong)
                    .name("intruder"));

            // The real one as a person runs it: the Spark home's bin/spark-submit with the owner-only properties file.
            List<String> command =
                    new ArrayList<>(List.of(cluster.sparkSubmitScript().toString()));
            command.addAll(Probe.submission(in, hdfs.uri("/secure/out"))
                    .propertiesFile(cluster.authPropertiesFile())
                    .arguments(cluster.masterUrl()));
            Path log = WORK.resolve("bin-spark-submit.log");
            Process app = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                List<String> executorCommands = Probe.awaitExecutors(cluster, 2);
                assertThat(executorCommands)
                        .hasSize(2)
                        .allSatisfy(cmd -> assertThat(cmd)
                                .contains("-Dspark.authenticate=true", "-Dspark.network.crypto.enabled=true")
                                .doesNotContain(secret));
                assertThat(commandLinesOfEveryProcessStartedHere()).isNotEmpty().noneMatch(c -> c.contains(secret));

                assertThat(app.waitFor(8, TimeUnit.MINUTES))
                        .as("spark-submit finished; log %s", log)
                        .isTrue();
                Probe.Report report =
                        Probe.report(new SparkApplication.Result(app.exitValue(), Files.readString(log), log));
                assertThat(report.rows()).isEqualTo(Probe.LINES);
                assertThat(report.executorIds()).hasSize(2);
                assertThat(Probe.lines(hdfs.uri("/secure/out/text"), new Configuration()))
                        .isEqualTo(Probe.LINES);
                assertThat(Files.readString(log)).contains("authentication enabled");
            } finally {
                app.descendants().forEach(ProcessHandle::destroyForcibly);
                app.destroyForcibly();
            }

            // Refused at the master's door: the connection's authentication fails, registration never happens. Spark
            // would retry for a fixed minute before giving up; the refusal is in the logs long before that.
            await().atMost(Duration.ofMinutes(2))
                    .untilAsserted(() ->
                            assertThat(Files.readString(intruder.logFile())).contains("Failed to connect to master"));
            String intruderLog = Files.readString(intruder.logFile());
            assertThat(intruderLog)
                    .as("intruder's log %s", intruder.logFile())
                    .doesNotContain("Connected to Spark cluster", "PROBE ");
            assertThat(Files.readString(cluster.masterLogFile()))
                    .contains("Registering app ProbeApp")
                    .doesNotContain("Registering app intruder");
            assertThat(intruder.isAlive())
                    .as("intruder still waiting for a master")
                    .isTrue();
            intruder.stop();
            started = Probe.descendants();
        }
        assertThat(started)
                .as("processes started by the test, alive after close")
                .noneMatch(ProcessHandle::isAlive);
    }

    static List<String> commandLinesOfEveryProcessStartedHere() {
        return Stream.concat(
                        Stream.of(ProcessHandle.current()),
                        ProcessHandle.current().descendants())
                .map(p -> p.info().commandLine().orElse(""))
                .filter(c -> !c.isEmpty())
                .toList();
    }

    private static Properties load(Path file) throws java.io.IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return p;
    }
}
