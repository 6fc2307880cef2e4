package io.redpacket.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.cli.BadInputException;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.generation.spark.SparkFileRunner;
import io.redpacket.generation.split.LocalFileRunner;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.keys.KeyAllotment;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The whole job on the shared local Spark session: layout, exact totals, uniqueness, round trip, determinism, atomicity. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GenerationJobTest {
    static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());
    static final long CAP = 16_777_215L;

    @TempDir
    static Path dir;

    static Path ring;
    static Path out;

    @BeforeAll
    static void generateOnce() throws Exception {
        ring = Fixtures.ring(dir, 200);
        out = dir.resolve("out-spark-3");
        Generation.run(
                Fixtures.options(ring, out, 5, 42, CAP, 4000),
                Fixtures.store(),
                new SparkFileRunner(SharedSpark.session(), 3),
                QUIET);
    }

    @Test
    void writesTheCampaignLayoutForEveryVariant() throws Exception {
        for (String variant : List.of("main", "late")) {
            Path v = CampaignLayout.variantDir(out, variant);
            for (String f : List.of(
                    CampaignLayout.BUDGET,
                    CampaignLayout.PLAN,
                    CampaignLayout.BATCHES,
                    CampaignLayout.MANIFESTS,
                    CampaignLayout.REPORT)) {
                assertThat(v.resolve(f)).isRegularFile();
            }
            assertThat(CampaignLayout.openRing(v)).isRegularFile();
            assertThat(CampaignLayout.tokenRing(v)).isRegularFile();
            assertThat(AvroFiles.readAll(v.resolve(CampaignLayout.BUDGET), BudgetLine.class))
                    .hasSize(5);
            assertThat(AvroFiles.readAll(v.resolve(CampaignLayout.PLAN), FundingPlan.class))
                    .singleElement()
                    .satisfies(p -> assertThat(p.getVariant()).isEqualTo(variant));
            List<FileManifest> manifests = AvroFiles.readAll(v.resolve(CampaignLayout.MANIFESTS), FileManifest.class);
            assertThat(manifests).hasSize(2 * 5);
            for (FileManifest m : manifests) {
                assertThat(m.getFileName()).isEqualTo(CampaignLayout.envelopeFile(m.getSlotId(), m.getShard()));
                Path f = v.resolve(m.getFileName());
                assertThat(EnvelopeFiles.recordCount(f)).isEqualTo(m.getRecordCount());
                assertThat(EnvelopeFiles.checksum(f)).isEqualTo(m.getChecksum());
            }
            // committed: the one reader every stage uses opens it, and the marker lists exactly what is there
            io.redpacket.io.GeneratedVariant opened =
                    io.redpacket.io.GeneratedVariant.open(io.redpacket.io.LocalFileStore.INSTANCE, Fixtures.uri(v));
            assertThat(opened.checkPublished()).isEmpty();
            assertThat(opened.manifests()).hasSize(manifests.size());
            String report = Files.readString(v.resolve(CampaignLayout.REPORT));
            assertThat(report)
                    .contains(
                            "per sponsor",
                            "SP004 Lucky Noodles, Ltd.",
                            "per slot",
                            "per type",
                            "PICTURE",
                            "keys",
                            "10 files");
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp"));
        }
    }

    @Test
    void filesOpenWithTheExportedRingAndAddUpToTheScriptExactly() throws Exception {
        Path v = CampaignLayout.variantDir(out, "main");
        KeyRing open = KeyRingStore.load(CampaignLayout.openRing(v), Fixtures.PASSWORD);
        KeyRing token = KeyRingStore.load(CampaignLayout.tokenRing(v), Fixtures.PASSWORD);
        assertThat(token.size()).isZero();
        assertThat(token.tokenMacKey()).isNotNull();
        List<BatchConfig> batches = AvroFiles.readAll(v.resolve(CampaignLayout.BATCHES), BatchConfig.class);
        List<FileManifest> manifests = AvroFiles.readAll(v.resolve(CampaignLayout.MANIFESTS), FileManifest.class);
        TicketOpener opener = new TicketOpener(open, new KeyBlacklist());
        BitSet ids = new BitSet();
        Map<Integer, long[]> perBatch = new HashMap<>();
        Map<Integer, Long> perKey = new HashMap<>();
        for (FileManifest m : manifests) {
            byte[] bytes = Files.readAllBytes(v.resolve(m.getFileName()));
            long fen = 0;
            for (int off = 0; off < bytes.length; off += EnvelopeLayout.RECORD_BYTES) {
                OpenedTicket o = opener.open(bytes, off);
                assertThat(o.isValid())
                        .as("%s at %d: %s", m.getFileName(), off, o)
                        .isTrue();
                assertThat(m.getKeyIds()).contains(o.keyId());
                BatchConfig b = batches.get(o.batchId() - 1);
                assertThat(b.getSlotId()).isEqualTo(m.getSlotId());
                assertThat(o.amountFen()).isBetween(b.getMinFen(), b.getMaxFen());
                assertThat(o.envelopeId()).isBetween(b.getFirstEnvelopeId(), b.getFirstEnvelopeId() + b.getCount() - 1);
                assertThat(ids.get((int) o.envelopeId()))
                        .as("envelope id %d twice", o.envelopeId())
                        .isFalse();
                ids.set((int) o.envelopeId());
                perBatch.computeIfAbsent(o.batchId(), x -> new long[2])[0]++;
                perBatch.get(o.batchId())[1] += o.amountFen();
                perKey.merge(o.keyId(), o.amountFen(), Long::sum);
                fen += o.amountFen();
            }
            assertThat(fen).isEqualTo(m.getAmountFen());
        }
        long scriptCount = batches.stream().mapToLong(BatchConfig::getCount).sum();
        assertThat(ids.cardinality()).isEqualTo((int) scriptCount).isEqualTo(80_000);
        for (BatchConfig b : batches) {
            assertThat(perBatch.get(b.getBatchId()))
                    .as("batch %d", b.getBatchId())
                    .containsExactly(b.getCount(), b.getTotalFen());
        }
        assertThat(batches.stream().mapToLong(BatchConfig::getTotalFen).sum()).isEqualTo(197_000_000L);
        assertThat(perKey.values()).allMatch(fen -> fen <= CAP);
        assertThat(java.util.Arrays.stream(open.keyIds()).boxed().toList())
                .containsExactlyInAnyOrderElementsOf(perKey.keySet());
    }

    @Test
    void eachShardGetsEverySponsorAndTypeInProportion() throws Exception {
        Path v = CampaignLayout.variantDir(out, "main");
        List<BatchConfig> batches = AvroFiles.readAll(v.resolve(CampaignLayout.BATCHES), BatchConfig.class);
        Map<String, Long> slotTotals = new HashMap<>();
        batches.forEach(b -> slotTotals.merge(b.getSlotId(), b.getCount(), Long::sum));
        for (FileManifest m : AvroFiles.readAll(v.resolve(CampaignLayout.MANIFESTS), FileManifest.class)) {
            List<BatchConfig> inSlot = batches.stream()
                    .filter(b -> b.getSlotId().equals(m.getSlotId()))
                    .toList();
            long[] observed = new long[inSlot.size()];
            double[] expected = new double[inSlot.size()];
            for (int i = 0; i < inSlot.size(); i++) {
                BatchConfig b = inSlot.get(i);
                observed[i] = m.getBatches().stream()
                        .filter(s -> s.getBatchId() == b.getBatchId())
                        .mapToLong(s -> s.getCount())
                        .sum();
                expected[i] = (double) b.getCount() * m.getRecordCount() / slotTotals.get(m.getSlotId());
            }
            assertThat(DealStatistics.chiSquare(observed, expected))
                    .as("shard %s/%d", m.getSlotId(), m.getShard())
                    .isLessThan(DealStatistics.critical999(inSlot.size() - 1));
            assertThat((double) m.getRecordCount())
                    .isBetween(
                            Math.floor(slotTotals.get(m.getSlotId()) / 5.0),
                            Math.ceil(slotTotals.get(m.getSlotId()) / 5.0));
        }
    }

    @Test
    void sameInputsAndSeedGiveTheSameBytesWhateverThePartitioning() throws Exception {
        Path one = dir.resolve("out-spark-1");
        Path local = dir.resolve("out-local");
        Generation.run(
                Fixtures.options(ring, one, 5, 42, CAP, 4000),
                Fixtures.store(),
                new SparkFileRunner(SharedSpark.session(), 1),
                QUIET);
        Generation.run(
                Fixtures.options(ring, local, 5, 42, CAP, 4000),
                Fixtures.store(),
                new LocalFileRunner(Fixtures.store()),
                QUIET);
        for (String variant : List.of("main", "late")) {
            List<FileManifest> a =
                    AvroFiles.readAll(out.resolve(variant).resolve(CampaignLayout.MANIFESTS), FileManifest.class);
            List<FileManifest> b =
                    AvroFiles.readAll(one.resolve(variant).resolve(CampaignLayout.MANIFESTS), FileManifest.class);
            List<FileManifest> c =
                    AvroFiles.readAll(local.resolve(variant).resolve(CampaignLayout.MANIFESTS), FileManifest.class);
            assertThat(b).isEqualTo(a);
            assertThat(c).isEqualTo(a);
            for (FileManifest m : a) {
                assertThat(EnvelopeFiles.checksum(one.resolve(variant).resolve(m.getFileName())))
                        .isEqualTo(m.getChecksum());
                assertThat(EnvelopeFiles.checksum(local.resolve(variant).resolve(m.getFileName())))
                        .isEqualTo(m.getChecksum());
            }
            assertThat(AvroFiles.readAll(one.resolve(variant).resolve(CampaignLayout.BATCHES), BatchConfig.class))
                    .isEqualTo(
                            AvroFiles.readAll(out.resolve(variant).resolve(CampaignLayout.BATCHES), BatchConfig.class));
        }
        Path other = dir.resolve("out-seed-43");
        Generation.run(
                Fixtures.options(ring, other, 5, 43, CAP, 4000),
                Fixtures.store(),
                new LocalFileRunner(Fixtures.store()),
                QUIET);
        FileManifest first = AvroFiles.readAll(
                        other.resolve("main").resolve(CampaignLayout.MANIFESTS), FileManifest.class)
                .get(0);
        FileManifest before = AvroFiles.readAll(
                        out.resolve("main").resolve(CampaignLayout.MANIFESTS), FileManifest.class)
                .get(0);
        assertThat(first.getChecksum()).isNotEqualTo(before.getChecksum());
    }

    @Test
    void anExistingOutputIsNeverOverwritten() throws Exception {
        String before = EnvelopeFiles.checksum(out.resolve("main").resolve(CampaignLayout.MANIFESTS));
        BadInputException e = catchThrowableOfType(
                BadInputException.class,
                () -> Generation.run(
                        Fixtures.options(ring, out, 5, 7, CAP, 4000),
                        Fixtures.store(),
                        new LocalFileRunner(Fixtures.store()),
                        QUIET));
        assertThat(e).hasMessageContaining("already exists; refusing to overwrite");
        assertThat(EnvelopeFiles.checksum(out.resolve("main").resolve(CampaignLayout.MANIFESTS)))
                .isEqualTo(before);
    }

    @Test
    void aRingWithTooFewKeysSaysHowManyAreNeededAndWritesNothing() throws Exception {
        Path small = Fixtures.ring(dir, 3);
        Path target = dir.resolve("out-small-ring");
        BadInputException e = catchThrowableOfType(
                BadInputException.class,
                () -> Generation.run(
                        Fixtures.options(small, target, 5, 42, CAP, 4000),
                        Fixtures.store(),
                        new LocalFileRunner(Fixtures.store()),
                        QUIET));
        assertThat(e)
                .hasMessageContaining("holds 3 ticket keys")
                .hasMessageContaining("needs key ids 1..")
                .hasMessageContaining("bin/redpacket keys create --count");
        assertThat(target).doesNotExist();
    }

    @Test
    void badInputWritesNothing() throws Exception {
        Path script = dir.resolve("bad.yaml");
        Files.writeString(
                script,
                Files.readString(Fixtures.DEMO_SCRIPT).replaceFirst("total_fen: 30000000", "total_fen: 30000001"));
        Path target = dir.resolve("out-bad");
        Generation.Options o = new Generation.Options(
                Fixtures.uri(Fixtures.DEMO_BUDGET),
                Fixtures.uri(script),
                Fixtures.uri(ring),
                Fixtures.PASSWORD,
                Fixtures.uri(target),
                5,
                1,
                CAP,
                1,
                4000,
                java.util.Set.of());
        BadInputException e = catchThrowableOfType(
                BadInputException.class,
                () -> Generation.run(o, Fixtures.store(), new LocalFileRunner(Fixtures.store()), QUIET));
        assertThat(e.problems())
                .singleElement()
                .asString()
                .contains("sponsor SP001 (Acme Dairy)")
                .contains("difference +1 fen");
        assertThat(target).doesNotExist();
    }

    @Test
    void keyCapBelowTheLargestEnvelopeIsBadInput() {
        assertThat(catchThrowableOfType(
                        BadInputException.class,
                        () -> Generation.plan(
                                Fixtures.store(),
                                Fixtures.uri(Fixtures.DEMO_BUDGET),
                                Fixtures.uri(Fixtures.DEMO_SCRIPT),
                                5,
                                1,
                                1000,
                                1,
                                4000,
                                java.util.Set.of())))
                .hasMessageContaining("--key-cap-fen");
        assertThat(KeyAllotment.DEFAULT_CAP_FEN).isGreaterThan(CAP);
    }
}
