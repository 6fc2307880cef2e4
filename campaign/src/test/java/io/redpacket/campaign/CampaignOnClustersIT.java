package io.redpacket.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.kafka.FreePorts;
import io.redpacket.money.ReconciliationVerdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's {@code bin/redpacket campaign --cluster}, small (3,000 envelopes, a short crowd): HDFS, a Spark
 * standalone cluster and a Flink session cluster as child JVMs, generation and reconciliation spark-submitted,
 * settlement a flink run, the data on HDFS. Asserts the same verdict as the local campaign, that the campaign,
 * the settlement logs, the checkpoints and the warehouse are on HDFS, that no secret was on any command line
 * while it ran, and that no process of the run is left afterwards.
 */
class CampaignOnClustersIT {
    static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();
    static final Path INPUTS = Path.of("src/test/resources/cluster-campaign").toAbsolutePath();

    @Test
    @Timeout(value = 25, unit = TimeUnit.MINUTES)
    void aSmallCampaignOnClustersBalancesToTheFenWithItsDataOnHdfs() throws Exception {
        Path work = Path.of(System.getProperty("java.io.tmpdir")).resolve("campaign-cluster-" + System.nanoTime());
        List<String> cmd = new ArrayList<>(List.of(
                HOME.resolve("bin/redpacket").toString(),
                "campaign",
                "--cluster",
                "--work",
                work.toString(),
                "--budget",
                INPUTS.resolve("budget.csv").toString(),
                "--script",
                INPUTS.resolve("script.yaml").toString(),
                "--edges",
                "2",
                "--shards",
                "4",
                "--users",
                "400",
                "--slot-seconds",
                "10",
                // The operators' restart drill rides along (the edges are local processes here too): one campaign
                // less in the build than a local run of its own.
                "--restart-drill"));
        FreePorts ports = new FreePorts();
        cmd.addAll(List.of(
                "--kafka-port",
                port(ports, 1),
                "--kafka-controller-port",
                port(ports, 1),
                "--edge-port",
                port(ports, 2),
                "--admin-port",
                port(ports, 2),
                "--prometheus-port",
                port(ports, 1),
                "--flink-ui-port",
                port(ports, 1),
                "--identity-port",
                port(ports, 1)));
        Path log = Files.createDirectories(work.getParent()).resolve(work.getFileName() + ".log");
        Process p = new ProcessBuilder(cmd)
                .directory(HOME.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        SecretWatch watch = new SecretWatch(work);
        Thread watcher = new Thread(() -> watch.run(p), "secret-watch");
        watcher.start();
        try {
            assertThat(p.waitFor(24, TimeUnit.MINUTES))
                    .as("campaign finished; log %s", log)
                    .isTrue();
        } finally {
            watch.done.set(true);
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            watcher.join(10_000);
        }
        String out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        List<String> summary = Files.readAllLines(work.resolve("summary.txt"));

        // The verdict of the local campaign.
        assertThat(summary).anyMatch(l -> l.startsWith("money equation") && l.endsWith("HOLDS to the fen"));
        assertThat(summary).anyMatch(l -> l.matches("insider events credited\\s+0 of \\d+"));
        assertThat(summary).anyMatch(l -> l.matches("credited \\(read_committed\\)\\s+[1-9][\\d,]* envelopes.*"));
        // Every kind of money paid wrongly is zero, each on its own line (from reconciliation's typed summary).
        for (var type : ReconciliationVerdict.PAID_WRONGLY) {
            assertThat(summary)
                    .as(type.name())
                    .anyMatch(l -> l.matches("\\s+" + type.name() + "\\s+0 envelopes, 0 fen excess.*"));
        }
        assertThat(summary).noneMatch(l -> l.startsWith("SWITCH FAILED"));
        // Switches through the control topic: the last edge was down while the blacklist was pulled and applied it
        // before serving again.
        assertThat(summary).anyMatch(l -> l.startsWith("restarted edge") && l.contains("blacklist included"));
        assertThat(out).contains("PASSED: money equation exact");

        // The stages ran on the clusters, the data went through HDFS.
        assertThat(out)
                .contains("spark-submit to spark://127.0.0.1:")
                .contains("flink run on the session cluster")
                .contains("--out hdfs://127.0.0.1:");
        long localEnvelopeFiles = countFiles(work.resolve("generation/main/envelopes"));
        assertThat(localEnvelopeFiles).isPositive();
        assertThat(summary).anyMatch(l -> l.matches("on HDFS\\s+hdfs://127\\.0\\.0\\.1:\\d+/campaign .*"));
        assertThat(summary)
                .anyMatch(l -> l.matches("\\s+campaign\\s+" + localEnvelopeFiles + " envelope files, [\\d,]+ bytes"));
        assertThat(summary).anyMatch(l -> l.matches("\\s+settlement logs\\s+[1-9][\\d,]* Parquet files"));
        assertThat(summary).anyMatch(l -> l.matches("\\s+checkpoints and savepoints\\s+[1-9][\\d,]* files"));
        assertThat(summary).anyMatch(l -> l.matches("\\s+reconciliation warehouse\\s+[1-9][\\d,]* Parquet files"));
        assertThat(work.resolve("settlement")).doesNotExist();
        assertThat(work.resolve("warehouse")).doesNotExist();
        // Each edge dispensed from its own deployed copy.
        for (int e = 1; e <= 2; e++) {
            assertThat(countFiles(work.resolve("deploy/edge-" + e + "/main/envelopes")))
                    .as("edge %d's envelope files", e)
                    .isPositive();
        }
        // Executors ran on both Spark workers; two TaskManagers served the job.
        for (int w = 0; w < 2; w++) {
            try (Stream<Path> apps = Files.list(work.resolve("spark/worker-" + w))) {
                assertThat(apps.map(a -> a.getFileName().toString()))
                        .as("worker %d ran executors", w)
                        .anyMatch(n -> n.startsWith("app-"));
            }
        }

        assertThat(watch.leaks).as("command lines holding a secret").isEmpty();
        assertThat(watch.sawCluster.get())
                .as("the watch saw the cluster processes")
                .isTrue();
        // Nothing of the run is left running.
        List<String> left = ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .map(CampaignOnClustersIT::commandLine)
                .filter(c -> c.contains(work.toString()))
                .toList();
        assertThat(left).as("processes of the run still alive").isEmpty();
    }

    /** Samples every process's command line while the campaign runs, looking for the key store password and the Spark secret. */
    static final class SecretWatch {
        final Path work;
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicBoolean sawCluster = new AtomicBoolean();
        final Set<String> leaks = new ConcurrentSkipListSet<>();

        SecretWatch(Path work) {
            this.work = work;
        }

        void run(Process campaign) {
            while (!done.get() && campaign.isAlive()) {
                List<String> secrets = secrets();
                ProcessHandle.allProcesses().forEach(h -> {
                    String c = commandLine(h);
                    if (c.contains("org.apache.spark.deploy.worker.Worker") && c.contains(work.toString())) {
                        sawCluster.set(true);
                    }
                    for (String secret : secrets) {
                        if (c.contains(secret)) {
                            leaks.add(c.length() > 300 ? c.substring(0, 300) + "..." : c);
                        }
                    }
                });
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private List<String> secrets() {
            List<String> out = new ArrayList<>();
            try {
                Path password = work.resolve("secrets/keystore-password");
                if (Files.exists(password)) {
                    out.add(Files.readString(password).trim());
                }
                Path spark = work.resolve("spark/secrets/spark-auth.properties");
                if (Files.exists(spark)) {
                    for (String line : Files.readAllLines(spark)) {
                        if (line.startsWith("spark.authenticate.secret=")) {
                            out.add(line.substring(line.indexOf('=') + 1).trim());
                        }
                    }
                }
            } catch (IOException notYet) {
                // Being written: the next sample reads it.
            }
            out.removeIf(String::isEmpty);
            return out;
        }
    }

    /** The whole command line, as ps shows it: /proc/<pid>/cmdline (ProcessHandle.Info gives none for many of these JVMs). */
    static String commandLine(ProcessHandle h) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(h.pid()), "cmdline"));
            return new String(raw, java.nio.charset.StandardCharsets.UTF_8)
                    .replace('\0', ' ')
                    .trim();
        } catch (IOException | RuntimeException gone) {
            return h.info().commandLine().orElse("");
        }
    }

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static String port(FreePorts ports, int width) {
        return String.valueOf(ports.next(width));
    }
}
