package io.redpacket.sparkcluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.hadoop.LocalHdfs;
import io.redpacket.hadoop.LocalS3;
import io.redpacket.hadoop.OwnerOnlyFiles;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A 2-worker standalone cluster without authentication, HDFS and an S3 API: an application submitted with
 * spark-submit (reading hdfs://, writing s3a:// with hadoop-aws shipped as jars), and a driver in the test JVM.
 */
@Timeout(600)
class LocalSparkClusterIT {
    private static final Path WORK =
            Path.of("target", "it-" + LocalSparkClusterIT.class.getSimpleName()).toAbsolutePath();
    private static LocalHdfs hdfs;
    private static LocalS3 s3;
    private static LocalSparkCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        Probe.deleteRecursively(WORK);
        hdfs = LocalHdfs.start(WORK.resolve("hdfs"));
        s3 = LocalS3.start(WORK.resolve("s3"));
        cluster = LocalSparkCluster.start(WORK.resolve("spark"));
    }

    @AfterAll
    static void stopAndLeaveNoJvmBehind() {
        List<ProcessHandle> started = Probe.descendants();
        if (cluster != null) {
            cluster.close();
        }
        if (hdfs != null) {
            hdfs.close();
        }
        if (s3 != null) {
            s3.close();
        }
        assertThat(started)
                .as("processes started by the test, alive after close")
                .noneMatch(ProcessHandle::isAlive);
    }

    @Test
    void sparkSubmitRunsTheApplicationOnTwoExecutorJvmsFromHdfsToS3aWithCredentialsInAPropertiesFile()
            throws Exception {
        String in = Probe.writeInput(hdfs, "/probe/in.txt");
        s3.createBucket("campaigns");
        String out = "s3a://campaigns/probe-out";
        // The application's own settings file, owner-only: s3a's endpoint and keys reach the executors from the
        // driver (spark.hadoop.*), not from any command line.
        StringBuilder props = new StringBuilder();
        s3.s3aProperties()
                .forEach((k, v) -> props.append("spark.hadoop.")
                        .append(k)
                        .append('=')
                        .append(v)
                        .append('\n'));
        props.append("spark.hadoop.fs.s3a.buffer.dir=")
                .append(WORK.resolve("s3a-buffer"))
                .append('\n');
        Path appProperties = OwnerOnlyFiles.write(WORK.resolve("app-secrets/s3a.properties"), props.toString());

        SparkApplication app =
                cluster.launch(Probe.submission(in, out).jars(Probe.s3aJars()).propertiesFile(appProperties));
        assertThat(Probe.awaitExecutors(cluster, 2)).hasSize(2);
        assertThat(EncryptedSparkClusterIT.commandLinesOfEveryProcessStartedHere())
                .noneMatch(c -> c.contains(s3.secretKey()) || c.contains(s3.accessKey()));
        SparkApplication.Result result = app.waitFor(Duration.ofMinutes(8));

        Probe.Report report = Probe.report(result);
        assertThat(report.rows()).isEqualTo(Probe.LINES);
        assertThat(report.parquetRows()).isEqualTo(Probe.LINES);
        assertThat(report.executorIds()).hasSize(2);
        assertThat(report.pids())
                .hasSize(2)
                .doesNotContain(report.driverPid(), ProcessHandle.current().pid());
        Configuration s3conf = new Configuration();
        s3.s3aProperties().forEach(s3conf::set);
        s3conf.set("fs.s3a.buffer.dir", WORK.resolve("s3a-buffer").toString());
        assertThat(Probe.lines(out + "/text", s3conf)).isEqualTo(Probe.LINES);
        // The executors ran where a real worker runs them: the application's directory on each worker, with the
        // executor's log.
        String appId = Probe.applicationId(result);
        for (int i = 0; i < cluster.workerCount(); i++) {
            try (var executors = Files.list(cluster.workerDir(i).resolve(appId))) {
                assertThat(executors
                                .filter(d -> Files.isRegularFile(d.resolve("stderr")))
                                .toList())
                        .hasSize(1);
            }
        }
        // Every executor exits with its application.
        Probe.awaitNoExecutors(cluster);
    }

    @Test
    void aDriverInTheTestJvmUsesTheClusterExecutors() {
        // This JVM carries Spark's JVM flags from the pom (failsafe argLine); they must be the cluster's own list.
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
                .containsAll(cluster.javaModuleOptions().stream()
                        .filter(o -> o.startsWith("--add-opens"))
                        .toList());

        SparkSession.Builder builder = SparkSession.builder();
        cluster.driverConf().forEach(builder::config);
        SparkSession spark = builder.appName("in-process driver")
                // The test's own classes (the lambda below) reach the executors from the directory on this machine.
                .config("spark.executor.extraClassPath", System.getProperty("test.classes.dir"))
                .config("spark.executor.memory", "512m")
                .config("spark.ui.enabled", "false")
                .config("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .config("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s")
                .getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<String> jvms = sc.parallelize(List.of(1, 2, 3, 4, 5, 6, 7, 8), 8)
                    .map(i -> SparkEnv.get().executorId() + ":"
                            + ProcessHandle.current().pid())
                    .distinct()
                    .collect();
            assertThat(new TreeSet<>(jvms))
                    .hasSize(2)
                    .noneMatch(j -> j.endsWith(":" + ProcessHandle.current().pid()));
            assertThat(cluster.executorProcesses()).hasSize(2);
        } finally {
            spark.stop();
        }
    }
}
