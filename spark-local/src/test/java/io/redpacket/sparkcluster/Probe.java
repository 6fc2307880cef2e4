package io.redpacket.sparkcluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.hadoop.LocalHdfs;
import io.redpacket.sparkcluster.app.ProbeApp;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** Runs {@link ProbeApp} on a cluster against HDFS and reads what it reports. */
final class Probe {
    static final int LINES = 10_000;
    private static final Pattern REPORT = Pattern.compile("PROBE rows=(\\d+) parquet=(\\d+) jvms=(\\S+) driver=(\\d+)");

    /** What the application printed: rows written, rows read back from Parquet, the JVMs (executor:pid) that ran tasks. */
    record Report(long rows, long parquetRows, List<String> jvms, long driverPid) {
        List<String> executorIds() {
            return jvms.stream()
                    .map(j -> j.substring(0, j.indexOf(':')))
                    .distinct()
                    .toList();
        }

        List<Long> pids() {
            return jvms.stream()
                    .map(j -> Long.parseLong(j.substring(j.indexOf(':') + 1)))
                    .distinct()
                    .toList();
        }
    }

    private Probe() {}

    static Path applicationJar() {
        return Path.of(System.getProperty("probe.app.jar"));
    }

    /** The submission of ProbeApp from {@code in} to {@code out}; waits for both executors before the first job. */
    static SparkSubmission submission(String in, String out) {
        return SparkSubmission.of(applicationJar(), ProbeApp.class.getName())
                .conf("spark.executor.memory", "512m")
                .conf("spark.ui.enabled", "false")
                .conf("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .conf("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s")
                .args(in, out);
    }

    /** Writes {@value #LINES} lines to a new file on HDFS and returns its URI. */
    static String writeInput(LocalHdfs hdfs, String path) throws IOException {
        try (FileSystem fs = FileSystem.newInstance(hdfs.uri(), new Configuration());
                OutputStream out = fs.create(new org.apache.hadoop.fs.Path(path), true)) {
            for (int i = 0; i < LINES; i++) {
                out.write(("envelope-" + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return hdfs.uri(path);
    }

    static Report report(SparkApplication.Result result) {
        assertThat(result.exitCode())
                .as("spark-submit exit code; log %s", result.logFile())
                .isZero();
        Matcher m = REPORT.matcher(result.output());
        assertThat(m.find()).as("PROBE line in %s", result.logFile()).isTrue();
        return new Report(
                Long.parseLong(m.group(1)),
                Long.parseLong(m.group(2)),
                Arrays.asList(m.group(3).split(",")),
                Long.parseLong(m.group(4)));
    }

    /** Lines of the text output in {@code dir} (any Hadoop file system URI), read back with the Hadoop client. */
    static long lines(String dir, Configuration conf) throws IOException {
        long n = 0;
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(dir);
        try (FileSystem fs = FileSystem.newInstance(path.toUri(), conf)) {
            assertThat(fs.exists(new org.apache.hadoop.fs.Path(path, "_SUCCESS")))
                    .as("%s/_SUCCESS", dir)
                    .isTrue();
            for (var status : fs.listStatus(path, p -> p.getName().startsWith("part-"))) {
                try (var in = fs.open(status.getPath())) {
                    n += new String(in.readAllBytes(), StandardCharsets.UTF_8)
                            .lines()
                            .count();
                }
            }
        }
        return n;
    }

    /** The jars an application adds for s3a: hadoop-aws 3.5.0 and the AWS SDK v2 pieces (recorded by the build). */
    static List<Path> s3aJars() throws IOException {
        try (var in = Probe.class.getResourceAsStream("s3a-jars.classpath")) {
            return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8)
                            .trim()
                            .split(java.io.File.pathSeparator))
                    .map(Path::of)
                    .toList();
        }
    }

    /** Waits until the cluster runs {@code n} executors and returns their command lines. */
    static List<String> awaitExecutors(LocalSparkCluster cluster, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> commands = cluster.executorProcesses().stream()
                    .map(p -> p.info().commandLine().orElse(""))
                    .toList();
            if (commands.size() >= n) {
                return commands;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + n + " executors within 5 minutes");
    }

    /** The application id the driver got from the master ({@code app-<time>-<n>}). */
    static String applicationId(SparkApplication.Result result) {
        Matcher m = Pattern.compile("Connected to Spark cluster with app ID (app-\\S+)")
                .matcher(result.output());
        assertThat(m.find()).as("app id in %s", result.logFile()).isTrue();
        return m.group(1);
    }

    /** Removes what an earlier run left under target/. */
    static void deleteRecursively(Path dir) throws IOException {
        if (java.nio.file.Files.exists(dir)) {
            try (var paths = java.nio.file.Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(p);
                }
            }
        }
    }

    /** Waits until no executor runs: the workers kill them after the driver has gone, not before it exits. */
    static void awaitNoExecutors(LocalSparkCluster cluster) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!cluster.executorProcesses().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "executors still alive 2 minutes after their application: " + cluster.executorProcesses());
            }
            Thread.sleep(200);
        }
    }

    /** Every process this JVM has started and that still runs (daemons, executors, drivers, servers). */
    static List<ProcessHandle> descendants() {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .toList();
    }
}
