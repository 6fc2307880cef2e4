package io.redpacket.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.RejectReason;
import io.redpacket.cli.BadInputException;
import io.redpacket.hadoop.LocalHdfs;
import io.redpacket.hadoop.LocalS3;
import io.redpacket.hadoop.OwnerOnlyFiles;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyStorePassword;
import io.redpacket.reconciliation.spark.Warehouse;
import io.redpacket.sparkcluster.LocalSparkCluster;
import io.redpacket.sparkcluster.SparkApplication;
import io.redpacket.sparkcluster.SparkSubmission;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reconciliation as a cluster citizen: the job jar submitted with spark-submit to a Spark standalone cluster (a
 * master and two workers, executors launched by the workers, every connection authenticated and encrypted), the
 * campaign and the settlement logs on a real HDFS and on a real S3 API, the warehouse written there, and
 * {@code bin/redpacket sql}'s class, run as the launcher runs it, querying it. The money equation holds to the fen.
 * One spark-submit only (it costs minutes on this machine); the launcher's local run covers HDFS end to end.
 */
@Timeout(1800)
class ReconciliationOnClusterIT {
    private static final Path WORK = Path.of("target", "it-" + ReconciliationOnClusterIT.class.getSimpleName())
            .toAbsolutePath();
    private static final String BUCKET = "finance";
    private static final String MAIN = ReconciliationCli.class.getName();

    static LocalHdfs hdfs;
    static LocalS3 s3;
    static LocalSparkCluster cluster;
    static GeneratedCampaign campaign;
    static Configuration client;
    static long creditedFen;
    static long pendingFen;

    @BeforeAll
    static void start() throws Exception {
        deleteRecursively(WORK);
        hdfs = LocalHdfs.start(WORK.resolve("hdfs"));
        s3 = LocalS3.start(WORK.resolve("s3"));
        s3.createBucket(BUCKET);
        cluster = LocalSparkCluster.builder(WORK.resolve("spark"))
                .authenticate(true)
                .start();

        campaign = GeneratedCampaign.generate(WORK.resolve("campaign"), 11, 100);
        GeneratedCampaign.Logs logs = new GeneratedCampaign.Logs();
        for (int i = 0; i < 30; i++) {
            String ev = logs.openAndCredit(campaign, campaign.envelopes.get(i), "u" + i);
            creditedFen += campaign.envelopes.get(i).amountFen();
            if (i < 20) {
                logs.redeliver(ev); // today's contract: the copy is idempotent
            }
            if (i >= 10 && i < 20) {
                logs.reject(ev, RejectReason.DUPLICATE_ENVELOPE); // logs written before it
            }
        }
        logs.open(campaign.envelopes.get(30), "u30");
        pendingFen = campaign.envelopes.get(30).amountFen();
        logs.reject(logs.open(campaign.envelopes.get(31), "u31"), RejectReason.USER_CAP);
        Path settle = logs.write(TestSpark.session(), WORK.resolve("settle"));

        client = new Configuration();
        s3.s3aProperties().forEach(client::set);
        copy(campaign.variantDir, hdfs.uri("/campaign/A"));
        copy(settle, hdfs.uri("/settle"));
        copy(settle, "s3a://" + BUCKET + "/settle");
        // The password file on the distributed file system, readable by its owner only: every executor reads it there.
        org.apache.hadoop.fs.Path pw = new org.apache.hadoop.fs.Path(hdfs.uri("/secrets/keystore-password"));
        try (var out = FileSystem.create(pw.getFileSystem(client), pw, new FsPermission((short) 0600))) {
            out.write((GeneratedCampaign.PASSWORD + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {cluster, s3, hdfs}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the next one still has to stop
            }
        }
    }

    /**
     * spark-submit of the job jar: the campaign on HDFS, the settlement logs on S3, the warehouse on S3; executors read
     * the key store and the password file from HDFS themselves (the driver's disk is not theirs).
     */
    @Test
    void onTheClusterFromHdfsAndS3IntoAnS3Warehouse() throws Exception {
        String warehouse = "s3a://" + BUCKET + "/recon/A";
        // One owner-only properties file: the cluster's auth settings and the s3a client's, keys included.
        StringBuilder props = new StringBuilder(Files.readString(cluster.authPropertiesFile())).append('\n');
        s3.s3aProperties()
                .forEach((k, v) -> props.append("spark.hadoop.")
                        .append(k)
                        .append('=')
                        .append(v)
                        .append('\n'));
        Path properties = OwnerOnlyFiles.write(WORK.resolve("s3-app.properties"), props.toString());
        SparkApplication.Result r = cluster.submit(
                submission("reconcile")
                        .propertiesFile(properties)
                        .jars(LauncherRun.extraJars(cluster.sparkJars()))
                        .args(
                                "reconcile",
                                "--generation",
                                hdfs.uri("/campaign/A"),
                                "--settlement",
                                "s3a://" + BUCKET + "/settle",
                                "--warehouse",
                                warehouse,
                                "--password-file",
                                hdfs.uri("/secrets/keystore-password")),
                Duration.ofMinutes(15));
        assertReconciled(r.exitCode(), r.output(), "log " + r.logFile());
        for (int i = 0; i < cluster.workerCount(); i++) {
            try (Stream<Path> apps = Files.list(cluster.workerDir(i))) {
                assertThat(apps.map(p -> p.getFileName().toString()))
                        .as("worker %d ran an executor", i)
                        .anyMatch(n -> n.startsWith("app-"));
            }
        }
        FileSystem fs = new org.apache.hadoop.fs.Path(warehouse).getFileSystem(client);
        String version = read(fs, warehouse + "/" + Warehouse.POINTER).strip();
        assertThat(version).startsWith("v-");
        assertThat(fs.exists(new org.apache.hadoop.fs.Path(warehouse + "/" + version + "/" + Warehouse.TABLES)))
                .isTrue();
        assertThat(names(fs, warehouse)).containsExactlyInAnyOrder(Warehouse.POINTER, version);

        // bin/redpacket sql against S3: the endpoint and keys in an owner-only core-site.xml of HADOOP_CONF_DIR
        Path conf = WORK.resolve("hadoop-conf");
        Files.createDirectories(conf);
        StringBuilder site = new StringBuilder("<?xml version=\"1.0\"?>\n<configuration>\n");
        s3.s3aProperties()
                .forEach((k, v) -> site.append("  <property><name>")
                        .append(k)
                        .append("</name><value>")
                        .append(v)
                        .append("</value></property>\n"));
        OwnerOnlyFiles.write(
                conf.resolve("core-site.xml"), site.append("</configuration>\n").toString());
        assertMoneyEquationThroughSql(warehouse, conf);
    }

    /**
     * bin/redpacket reconcile as the launcher runs it (local Spark, the password in its environment only) from HDFS
     * into an HDFS warehouse, swapped in by rename; then bin/redpacket sql on it.
     */
    @Test
    void withTheLauncherFromHdfsIntoAnHdfsWarehouse() throws Exception {
        String warehouse = hdfs.uri("/recon/A");
        LauncherRun.Result r = LauncherRun.run(
                WORK.resolve("launcher"),
                Map.of(KeyStorePassword.ENV, GeneratedCampaign.PASSWORD),
                null,
                "reconcile",
                "--generation",
                hdfs.uri("/campaign/A"),
                "--settlement",
                hdfs.uri("/settle"),
                "--warehouse",
                warehouse);
        assertReconciled(r.exit(), r.out(), r.err());
        assertThat(r.err().lines().filter(l -> !l.isBlank()))
                .allSatisfy(l -> assertThat(l).startsWith("reconcile"));
        FileSystem fs = new org.apache.hadoop.fs.Path(warehouse).getFileSystem(client);
        assertThat(names(fs, hdfs.uri("/recon"))).containsExactly("A"); // swapped in by rename, no staging left
        assertThat(fs.exists(new org.apache.hadoop.fs.Path(warehouse + "/" + Warehouse.TABLES)))
                .isTrue();

        assertMoneyEquationThroughSql(warehouse, null);
    }

    /** The object-store protocol itself: readers follow the pointer; the version before stays, older ones and failed runs go. */
    @Test
    void onS3TheWarehouseIsPublishedByItsPointer() throws Exception {
        SparkSession spark = TestSpark.session();
        s3.s3aProperties().forEach(spark.sparkContext().hadoopConfiguration()::set);
        HadoopFileStore store = new HadoopFileStore(spark.sparkContext().hadoopConfiguration());
        URI wh = URI.create("s3a://" + BUCKET + "/pointer-test/A");
        List<String> versions = new ArrayList<>();
        for (int run = 1; run <= 3; run++) {
            Warehouse w = Warehouse.begin(store, wh);
            w.write("t", spark.range(run * 10L).toDF());
            w.commit();
            Warehouse.Published p = Warehouse.open(store, wh);
            versions.add(Locations.fileName(p.dir()));
            assertThat(spark.read()
                            .schema(p.tables().get(0).schema())
                            .parquet(p.path("t"))
                            .count())
                    .isEqualTo(run * 10L);
            if (run == 2) {
                Warehouse failed = Warehouse.begin(store, wh);
                failed.write("t", spark.range(5).toDF());
                failed.abort();
                assertThat(Locations.fileName(Warehouse.open(store, wh).dir())).isEqualTo(versions.get(1));
            }
        }
        FileSystem fs = new org.apache.hadoop.fs.Path(wh)
                .getFileSystem(spark.sparkContext().hadoopConfiguration());
        assertThat(names(fs, wh.toString()))
                .containsExactlyInAnyOrder(Warehouse.POINTER, versions.get(1), versions.get(2));

        // a prefix that holds something else is never taken over
        copy(campaign.variantDir, "s3a://" + BUCKET + "/not-a-warehouse");
        assertThatThrownBy(() -> Warehouse.begin(store, URI.create("s3a://" + BUCKET + "/not-a-warehouse")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("is not a reconciliation warehouse");
    }

    private static SparkSubmission submission(String name) {
        Path jar;
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            jar = files.filter(p -> p.getFileName().toString().endsWith("-job.jar"))
                    .findFirst()
                    .orElseThrow();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return SparkSubmission.of(jar.toAbsolutePath(), MAIN)
                .name(name)
                .conf("spark.executor.memory", "512m")
                .conf("spark.sql.shuffle.partitions", "4");
    }

    private static void assertReconciled(int exit, String output, String where) {
        assertThat(exit).as("exit code; %s", where).isZero();
        assertThat(output)
                .contains("RECONCILED: 0 of 12 checks failed")
                .containsPattern("credit_discrepancies:CREDIT_WITHOUT_ACCEPTED_OPEN\\s+OK\\s+0\\s+0")
                .containsPattern("credit_discrepancies:ACCEPTED_NOT_CREDITED\\s+WARN\\s+1\\s+" + pendingFen)
                .containsPattern("money_equation\\s+OK\\s+0\\s+0");
    }

    /** bin/redpacket sql's class as the launcher runs it: the equation to the fen, each redelivered event once, nothing else printed. */
    private static void assertMoneyEquationThroughSql(String warehouse, Path hadoopConfDir) throws Exception {
        LauncherRun.Result r = LauncherRun.run(
                WORK.resolve("launcher"),
                Map.of(),
                hadoopConfDir,
                "sql",
                "--warehouse",
                warehouse,
                "-e",
                "SELECT scope, credited_fen, pending_fen, refund_fen, budget_fen, difference_fen FROM money_equation WHERE scope = 'TOTAL';"
                        + " SELECT outcome, sum(open_events) AS events, sum(deliveries) AS deliveries FROM opens_by_outcome GROUP BY outcome ORDER BY outcome");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        long budget = campaign.budgetFen();
        assertThat(r.out())
                .containsPattern("TOTAL\\s+\\|\\s+" + creditedFen + "\\s+\\|\\s+" + pendingFen + "\\s+\\|\\s+"
                        + (budget - creditedFen - pendingFen) + "\\s+\\|\\s+" + budget + "\\s+\\|\\s+0\\s");
        assertThat(r.out())
                .containsPattern("ACCEPTED\\s+\\|\\s+1\\s+\\|\\s+1")
                .containsPattern("CREDITED\\s+\\|\\s+30\\s+\\|\\s+50")
                .containsPattern("REJECTED\\s+\\|\\s+1\\s+\\|\\s+1");
    }

    private static void copy(Path local, String target) throws IOException {
        org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(target);
        dst.getFileSystem(client).copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), dst);
    }

    private static List<String> names(FileSystem fs, String dir) throws IOException {
        List<String> out = new ArrayList<>();
        for (var s : fs.listStatus(new org.apache.hadoop.fs.Path(dir))) {
            out.add(s.getPath().getName());
        }
        return out;
    }

    private static String read(FileSystem fs, String file) throws IOException {
        try (var in = fs.open(new org.apache.hadoop.fs.Path(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
