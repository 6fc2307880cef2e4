package io.redpacket.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.generation.plan.VariantPlanner;
import io.redpacket.hadoop.LocalHdfs;
import io.redpacket.hadoop.LocalS3;
import io.redpacket.hadoop.OwnerOnlyFiles;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.LocalFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyAllotment;
import io.redpacket.sparkcluster.LocalSparkCluster;
import io.redpacket.sparkcluster.SparkApplication;
import io.redpacket.sparkcluster.SparkSubmission;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's spark-submit commands, as written: the shaded job jar submitted to a Spark standalone cluster (master
 * and two workers, each a JVM; the workers launch the executors) with authentication and network encryption on,
 * every input and the password file on HDFS, the output on HDFS and on S3. The secret and the s3a keys are in an
 * owner-only {@code --properties-file}, the password in a file on HDFS: none is on any command line (checked).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class GenerationSparkSubmitIT {
    static final int SHARDS = 3;
    static final long SEED = 7;

    static Path work;
    static LocalHdfs hdfs;
    static LocalS3 s3;
    static LocalSparkCluster cluster;
    static HadoopFileStore store;
    static URI reference;
    static String inputs;

    @BeforeAll
    static void start() throws Exception {
        work = Path.of("target", "it-submit-" + Long.toHexString(System.nanoTime()))
                .toAbsolutePath();
        hdfs = SharedStorage.hdfs();
        s3 = SharedStorage.s3();
        cluster = LocalSparkCluster.builder(work.resolve("spark"))
                .authenticate(true)
                .start();
        Configuration conf = new Configuration();
        s3.s3aProperties().forEach(conf::set);
        store = new HadoopFileStore(conf);

        Path ring = Fixtures.ring(work, 200);
        reference = Fixtures.uri(work.resolve("reference"));
        Generation.run(
                Fixtures.options(
                        ring, reference, SHARDS, SEED, KeyAllotment.DEFAULT_CAP_FEN, VariantPlanner.DEFAULT_BLOCK_SIZE),
                LocalFileStore.INSTANCE,
                new io.redpacket.generation.split.LocalFileRunner(LocalFileStore.INSTANCE),
                System.out);
        inputs = hdfs.uri("/inputs");
        put(Files.readAllBytes(Fixtures.DEMO_BUDGET), inputs + "/budget.csv");
        put(Files.readAllBytes(Fixtures.DEMO_SCRIPT), inputs + "/script.yaml");
        put(Files.readAllBytes(ring), inputs + "/ring.p12");
        put((new String(Fixtures.PASSWORD) + "\n").getBytes(StandardCharsets.UTF_8), inputs + "/keystore-password");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void sparkSubmitWritesTheCampaignToHdfs() throws Exception {
        String out = hdfs.uri("/submitted/spring-2027");
        SparkApplication.Result r =
                cluster.submit(generate(out).propertiesFile(cluster.authPropertiesFile()), Duration.ofMinutes(8));
        assertSubmitted(r, out);
    }

    @Test
    void sparkSubmitWritesTheCampaignToS3() throws Exception {
        // The s3a settings (keys included) join the auth settings in the application's own owner-only properties file.
        StringBuilder props = new StringBuilder(Files.readString(cluster.authPropertiesFile()));
        s3.s3aProperties()
                .forEach((k, v) -> props.append("spark.hadoop.")
                        .append(k)
                        .append('=')
                        .append(v)
                        .append('\n'));
        Path appProperties = OwnerOnlyFiles.write(work.resolve("generate-s3.properties"), props.toString());
        String out = "s3a://" + SharedStorage.BUCKET + "/submitted/spring-2027";
        SparkApplication.Result r =
                cluster.submit(generate(out).propertiesFile(appProperties).jars(s3aJars()), Duration.ofMinutes(8));
        assertSubmitted(r, out);
    }

    /** The README's command: {@code spark-submit ... --class GenerationCli <job jar> generate --budget hdfs://... --out <out>}. */
    private static SparkSubmission generate(String out) {
        return SparkSubmission.of(Path.of(System.getProperty("generation.job.jar")), GenerationCli.class.getName())
                .conf("spark.executor.memory", "512m")
                .conf("spark.ui.enabled", "false")
                .conf("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .conf("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s")
                .args(
                        "generate",
                        "--budget",
                        inputs + "/budget.csv",
                        "--script",
                        inputs + "/script.yaml",
                        "--keys",
                        inputs + "/ring.p12",
                        "--password-file",
                        inputs + "/keystore-password",
                        "--out",
                        out,
                        "--shards",
                        "" + SHARDS,
                        "--seed",
                        "" + SEED);
    }

    private static void assertSubmitted(SparkApplication.Result r, String out) throws Exception {
        assertThat(r.exitCode())
                .as("spark-submit exit code; log %s", r.logFile())
                .isZero();
        assertThat(r.output())
                .contains("runner: Spark, master " + cluster.masterUrl())
                .contains("wrote " + out)
                .doesNotContain(new String(Fixtures.PASSWORD));
        GenerationOnClustersIT.assertSameCampaign(store, URI.create(out), reference);
        assertThat(ClusterSpark.childCommandLines())
                .isNotEmpty()
                .noneMatch(c -> c.contains(new String(Fixtures.PASSWORD)) || c.contains(s3.secretKey()));
    }

    private static List<Path> s3aJars() throws Exception {
        try (var in = GenerationSparkSubmitIT.class.getResourceAsStream("s3a-jars.classpath")) {
            return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8)
                            .trim()
                            .split(java.io.File.pathSeparator))
                    .map(Path::of)
                    .toList();
        }
    }

    private static void put(byte[] bytes, String uri) throws Exception {
        try (OutputStream os = store.create(Locations.parse(uri))) {
            os.write(bytes);
        }
    }
}
