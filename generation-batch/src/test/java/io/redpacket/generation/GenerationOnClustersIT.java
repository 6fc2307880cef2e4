package io.redpacket.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.cli.CommandLines;
import io.redpacket.generation.plan.ExpectedFile;
import io.redpacket.generation.plan.FileResult;
import io.redpacket.generation.plan.FileRunner;
import io.redpacket.generation.plan.FileTask;
import io.redpacket.generation.spark.SparkFileRunner;
import io.redpacket.generation.split.LocalFileRunner;
import io.redpacket.hadoop.LocalHdfs;
import io.redpacket.hadoop.LocalS3;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.FileStore;
import io.redpacket.io.GeneratedVariant;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.LocalFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.SealingKeys;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.hdfs.client.HdfsAdmin;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Generation as a cluster citizen: Spark with two executor JVMs writes campaigns to a real HDFS (NameNode and
 * DataNode in a child JVM) and a real S3 API (s3proxy in a child JVM), byte for byte what a local run writes, and a
 * run whose executors cannot write, or whose files go missing or short before the final check, fails naming the file
 * and leaves no campaign behind.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class GenerationOnClustersIT {
    /** The runs' own progress lines (phases and their times) go to the test's output file. */
    static final PrintStream LOG = System.out;

    static final long CAP = 16_777_215L;
    static final int SHARDS = 3;
    static final long SEED = 7;

    static Path work;
    static LocalHdfs hdfs;
    static LocalS3 s3;
    static SparkSession spark;
    static HadoopFileStore store;
    static Path ring;
    static URI reference;

    @BeforeAll
    static void start() throws Exception {
        work = Path.of("target", "it-" + Long.toHexString(System.nanoTime())).toAbsolutePath();
        hdfs = SharedStorage.hdfs();
        s3 = SharedStorage.s3();
        Map<String, String> hadoop = new HashMap<>(s3.s3aProperties());
        hadoop.put("dfs.replication", "1");
        spark = ClusterSpark.start(work.resolve("spark"), hadoop);
        store = new HadoopFileStore(spark.sparkContext().hadoopConfiguration());
        ring = Fixtures.ring(work, 200);
        reference = Fixtures.uri(work.resolve("reference"));
        Generation.run(
                Fixtures.options(ring, reference, SHARDS, SEED, CAP, 4000),
                LocalFileStore.INSTANCE,
                new LocalFileRunner(LocalFileStore.INSTANCE),
                LOG);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void writesToHdfsExactlyWhatALocalRunWrites() throws Exception {
        URI out = URI.create(hdfs.uri("/local-cluster/spring"));
        Generation.run(Fixtures.options(ring, out, SHARDS, SEED, CAP, 4000), store, new SparkFileRunner(spark, 0), LOG);
        assertSameCampaign(out);
        // Published by one rename: no staging directory is left beside it.
        assertThat(store.listFiles(URI.create(hdfs.uri("/local-cluster"))))
                .allMatch(e -> e.uri().getPath().startsWith("/local-cluster/spring/"));
        // The sealing keys reached the executors over authenticated, encrypted connections; the secret is on no command
        // line.
        assertThat(ClusterSpark.childCommandLines())
                .anyMatch(c -> c.contains("CoarseGrainedExecutorBackend"))
                .noneMatch(c -> c.contains(ClusterSpark.SECRET));
    }

    @Test
    void writesToS3ExactlyWhatALocalRunWritesCommittedByItsMarkers() throws Exception {
        URI out = URI.create("s3a://campaigns/local-cluster/spring");
        Generation.run(Fixtures.options(ring, out, SHARDS, SEED, CAP, 4000), store, new SparkFileRunner(spark, 0), LOG);
        assertSameCampaign(out);
    }

    @Test
    void anExecutorThatCannotWriteFailsTheRunNamingTheFileAndNothingIsPublished() throws Exception {
        // A disk-space quota far below one block: every executor's first write is refused by the NameNode.
        URI parent = URI.create(hdfs.uri("/full"));
        store.mkdirs(parent);
        new HdfsAdmin(hdfs.uri(), spark.sparkContext().hadoopConfiguration())
                .setSpaceQuota(new org.apache.hadoop.fs.Path(parent), 1 << 20);
        URI out = Locations.child(parent, "spring");
        Exception e = catchThrowableOfType(
                Exception.class,
                () -> Generation.run(
                        Fixtures.options(ring, out, SHARDS, SEED, CAP, 4000),
                        store,
                        new SparkFileRunner(spark, 0),
                        LOG));
        assertThat(e).isNotNull();
        assertThat(CommandLines.oneLine(e))
                .startsWith("cannot write " + hdfs.uri("/full/.spring.tmp-"))
                .containsPattern("/main/envelopes/slot=s\\d+/shard-0000\\d\\.env on executor \\d+ ")
                .contains("quota");
        assertThat(store.listFiles(parent)).isEmpty();
        assertThat(store.exists(out)).isFalse();
    }

    @Test
    void aFileRemovedBeforeTheFinalCheckFailsTheRunNamingItAndNothingIsPublished() throws Exception {
        URI parent = URI.create(hdfs.uri("/removed"));
        URI out = Locations.child(parent, "spring");
        FileRunner lossy =
                new Tampering(new SparkFileRunner(spark, 0), (root, r) -> store.deleteRecursively(file(root, r)));
        CommandLines.LocatedFailure e = catchThrowableOfType(
                CommandLines.LocatedFailure.class,
                () -> Generation.run(Fixtures.options(ring, out, SHARDS, SEED, CAP, 4000), store, lossy, LOG));
        assertThat(e)
                .hasMessageContaining("/main/envelopes/slot=")
                .hasMessageContaining(".env: missing")
                .hasMessageEndingWith("nothing was published");
        assertThat(store.exists(out)).isFalse();
        assertThat(store.exists(parent) ? store.listFiles(parent) : List.of()).isEmpty();
    }

    @Test
    void aShortFileOnS3FailsTheRunAndLeavesNoMarkerNorFile() throws Exception {
        URI out = URI.create("s3a://campaigns/local-cluster/short");
        FileRunner shortening = new Tampering(new SparkFileRunner(spark, 0), (root, r) -> {
            try (OutputStream os = store.create(file(root, r))) {
                os.write(new byte[(int) r.bytes() - 26]);
            }
        });
        CommandLines.LocatedFailure e = catchThrowableOfType(
                CommandLines.LocatedFailure.class,
                () -> Generation.run(Fixtures.options(ring, out, SHARDS, SEED, CAP, 4000), store, shortening, LOG));
        assertThat(e)
                .hasMessageContaining("s3a://campaigns/local-cluster/short/main/envelopes/slot=")
                .hasMessageContaining("(short)");
        assertThat(store.exists(out)).isFalse();
    }

    /** The campaign at {@code out} opens as every reader opens it and equals the local reference byte for byte. */
    static void assertSameCampaign(URI out) throws Exception {
        assertSameCampaign(store, out, reference);
    }

    static void assertSameCampaign(FileStore store, URI out, URI reference) throws Exception {
        for (String variant : List.of("main", "late")) {
            URI dir = Locations.child(out, variant);
            URI ref = Locations.child(reference, variant);
            GeneratedVariant v = GeneratedVariant.open(store, dir);
            assertThat(v.checkPublished()).isEmpty();
            assertThat(v.manifests())
                    .isEqualTo(
                            GeneratedVariant.open(LocalFileStore.INSTANCE, ref).manifests());
            for (FileManifest m : v.manifests()) {
                assertThat(store.readAllBytes(v.envelopeFile(m)))
                        .as(m.getFileName())
                        .isEqualTo(LocalFileStore.INSTANCE.readAllBytes(Locations.child(ref, m.getFileName())));
            }
            assertThat(read(store, dir, CampaignLayout.MANIFESTS, FileManifest.class))
                    .isEqualTo(read(LocalFileStore.INSTANCE, ref, CampaignLayout.MANIFESTS, FileManifest.class));
            assertThat(read(store, dir, CampaignLayout.BATCHES, BatchConfig.class))
                    .isEqualTo(read(LocalFileStore.INSTANCE, ref, CampaignLayout.BATCHES, BatchConfig.class));
            assertThat(read(store, dir, CampaignLayout.PLAN, FundingPlan.class))
                    .isEqualTo(read(LocalFileStore.INSTANCE, ref, CampaignLayout.PLAN, FundingPlan.class));
            assertThat(read(store, dir, CampaignLayout.BUDGET, BudgetLine.class))
                    .isEqualTo(read(LocalFileStore.INSTANCE, ref, CampaignLayout.BUDGET, BudgetLine.class));
        }
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(
            FileStore s, URI dir, String name, Class<T> type) throws Exception {
        return AvroFiles.readAll(s, Locations.child(dir, name), type);
    }

    private static URI file(URI root, FileResult r) {
        return Locations.child(Locations.child(root, r.variant()), r.fileName());
    }

    /** What happens to a written file between the executors' writes and the driver's check (another host's disk, an operator, a bug). */
    interface Damage {
        void apply(URI root, FileResult victim) throws Exception;
    }

    /** The real runner, then damage to one file it wrote. */
    record Tampering(FileRunner runner, Damage damage) implements FileRunner {
        @Override
        public List<FileResult> run(List<FileTask> tasks, SealingKeys keys, URI root) throws java.io.IOException {
            List<FileResult> results = runner.run(tasks, keys, root);
            FileResult victim =
                    results.stream().filter(r -> r.bytes() > 0).findFirst().orElseThrow();
            try {
                damage.apply(root, victim);
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
            return results;
        }

        @Override
        public List<String> verify(List<ExpectedFile> files) throws java.io.IOException {
            return runner.verify(files);
        }
    }
}
