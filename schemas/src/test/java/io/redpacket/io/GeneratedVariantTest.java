package io.redpacket.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BatchSummary;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.EnvelopeType;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;
import io.redpacket.cli.BadInputException;
import io.redpacket.envelope.EnvelopeLayout;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader's rules on a small variant written here with the schemas API. Generation's own tests check that
 * what it writes opens with this reader; this test plants the damage each rule must catch.
 */
class GeneratedVariantTest {
    private static final FileStore STORE = LocalFileStore.INSTANCE;

    @TempDir
    Path tmp;

    URI dir;

    @BeforeEach
    void writeVariant() throws Exception {
        dir = Locations.parse(tmp.resolve("v1").toString());
        BatchConfig b1 = batch(1, 100, 10, 1_000);
        BatchConfig b2 = batch(2, 110, 6, 900);
        writeFiles(
                List.of(b1, b2),
                List.of(
                        manifest(0, new BatchSummary(1, 5L, 500L), new BatchSummary(2, 3L, 450L)),
                        manifest(1, new BatchSummary(1, 5L, 500L), new BatchSummary(2, 3L, 450L))));
        commit();
    }

    @Test
    void aCommittedVariantOpensWithItsFacts() throws Exception {
        GeneratedVariant v = GeneratedVariant.open(STORE, dir);
        assertThat(v.variant()).isEqualTo("main");
        assertThat(v.batches()).hasSize(2);
        assertThat(v.manifests()).extracting(FileManifest::getShard).containsExactly(0, 1);
        assertThat(v.firstEnvelopeId()).isEqualTo(100);
        assertThat(v.lastEnvelopeId()).isEqualTo(115);
        assertThat(v.envelopeCount()).isEqualTo(16);
        assertThat(v.amountFen()).isEqualTo(1_900);
        assertThat(v.endMs()).isEqualTo(2_000);
        assertThat(v.envelopeFile(v.manifests().get(1)).toString()).endsWith("/v1/envelopes/slot=s1/shard-00001.env");
        assertThat(v.checkPublished()).isEmpty();
    }

    @Test
    void aVariantWithoutItsCommitIsNotACampaign() throws Exception {
        STORE.deleteRecursively(Locations.child(dir, CampaignLayout.COMMIT));
        assertThatThrownBy(() -> GeneratedVariant.open(STORE, dir))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("not a committed campaign variant: _COMMITTED is missing");
    }

    @Test
    void aSmallFileChangedAfterTheCommitIsRefused() throws Exception {
        AvroFiles.writeAll(
                STORE,
                Locations.child(dir, CampaignLayout.BATCHES),
                List.of(batch(1, 100, 10, 1_000), batch(2, 110, 6, 901)),
                BatchConfig.getClassSchema());
        assertThatThrownBy(() -> GeneratedVariant.open(STORE, dir))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("batches.avro: content differs from the checksum in _COMMITTED");
    }

    @Test
    void filesMustAddUpToEveryBatchAndBatchesMustNotOverlap() throws Exception {
        writeFiles(
                List.of(batch(1, 100, 10, 1_000), batch(2, 105, 6, 900)),
                List.of(
                        manifest(0, new BatchSummary(1, 5L, 500L), new BatchSummary(2, 3L, 450L)),
                        manifest(1, new BatchSummary(1, 4L, 499L), new BatchSummary(2, 3L, 450L))));
        commit();
        assertThatThrownBy(() -> GeneratedVariant.open(STORE, dir))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining(
                        "batch 1: files hold 9 envelopes, 999 fen; batches.avro says 10 envelopes, 1000 fen")
                .hasMessageContaining("batch 2: firstEnvelopeId: 105 overlaps batch 1 (100 + 10)");
    }

    @Test
    void checkPublishedFindsMissingShortAndUnknownEnvelopeFiles() throws Exception {
        GeneratedVariant v = GeneratedVariant.open(STORE, dir);
        Path shard0 = tmp.resolve("v1/envelopes/slot=s1/shard-00000.env");
        Files.write(shard0, new byte[EnvelopeLayout.RECORD_BYTES]);
        Files.delete(tmp.resolve("v1/envelopes/slot=s1/shard-00001.env"));
        Files.write(tmp.resolve("v1/envelopes/slot=s1/shard-00002.env"), new byte[0]);
        assertThat(v.checkPublished())
                .satisfiesExactlyInAnyOrder(
                        p -> assertThat(p).endsWith("shard-00000.env: 26 bytes, _COMMITTED says 208"),
                        p -> assertThat(p).endsWith("shard-00001.env: missing (listed in _COMMITTED)"),
                        p -> assertThat(p).endsWith("shard-00002.env: envelope file not listed in _COMMITTED"));
    }

    // ---- a tiny variant ----

    private static BatchConfig batch(int id, long first, long count, long total) {
        return BatchConfig.newBuilder()
                .setBatchId(id)
                .setCampaignId("c")
                .setVariant("main")
                .setSlotId("s1")
                .setSponsorId("SP" + id)
                .setSponsorName("Sponsor " + id)
                .setPaymentOrder("PO" + id)
                .setEnvelopeAccount("ACC" + id)
                .setType(EnvelopeType.PICTURE)
                .setCount(count)
                .setTotalFen(total)
                .setMinFen(1)
                .setMaxFen(1_000)
                .setFirstEnvelopeId(first)
                .build();
    }

    private final Map<String, String> checksums = new HashMap<>();

    private FileManifest manifest(int shard, BatchSummary... parts) {
        long count = 0;
        long amount = 0;
        for (BatchSummary p : parts) {
            count += p.getCount();
            amount += p.getAmountFen();
        }
        return FileManifest.newBuilder()
                .setCampaignId("c")
                .setVariant("main")
                .setSlotId("s1")
                .setShard(shard)
                .setFileName(CampaignLayout.envelopeFile("s1", shard))
                .setRecordCount(count)
                .setAmountFen(amount)
                .setKeyIds(List.of(1))
                .setBatches(List.of(parts))
                .setChecksum("")
                .build();
    }

    private void writeFiles(List<BatchConfig> batches, List<FileManifest> manifests) throws Exception {
        Random random = new Random(7);
        for (FileManifest m : manifests) {
            byte[] records = new byte[(int) m.getRecordCount() * EnvelopeLayout.RECORD_BYTES];
            random.nextBytes(records);
            URI file = Locations.child(dir, m.getFileName());
            STORE.writeAtomically(file, out -> out.write(records));
            m.setChecksum(EnvelopeFiles.checksum(records));
            checksums.put(m.getFileName(), m.getChecksum());
        }
        FundingPlan plan = FundingPlan.newBuilder()
                .setCampaignId("c")
                .setVariant("main")
                .setSlots(List.of(new Slot("s1", 1_000L, 2_000L)))
                .setAllocations(batches.stream()
                        .map(b -> new Allocation(
                                b.getSlotId(),
                                b.getSponsorId(),
                                b.getType(),
                                b.getTotalFen(),
                                b.getCount(),
                                b.getMinFen(),
                                b.getMaxFen(),
                                b.getChannel()))
                        .toList())
                .build();
        AvroFiles.writeAll(
                STORE, Locations.child(dir, CampaignLayout.PLAN), List.of(plan), FundingPlan.getClassSchema());
        AvroFiles.writeAll(STORE, Locations.child(dir, CampaignLayout.BATCHES), batches, BatchConfig.getClassSchema());
        AvroFiles.writeAll(
                STORE, Locations.child(dir, CampaignLayout.MANIFESTS), manifests, FileManifest.getClassSchema());
        AvroFiles.writeAll(
                STORE,
                Locations.child(dir, CampaignLayout.BUDGET),
                List.of(new BudgetLine("SP1", "S", "PO1", "ACC1", 1_900L)),
                BudgetLine.getClassSchema());
        STORE.writeAtomically(Locations.child(dir, "keys/open-ring.p12"), out -> out.write(new byte[] {1}));
        STORE.writeAtomically(Locations.child(dir, "keys/token-ring.p12"), out -> out.write(new byte[] {2}));
    }

    private void commit() throws Exception {
        STORE.deleteRecursively(Locations.child(dir, CampaignLayout.COMMIT));
        AvroFiles.writeAll(
                STORE,
                Locations.child(dir, CampaignLayout.COMMIT),
                List.of(GeneratedVariant.commitOf(STORE, dir, "c", "main", checksums, 5L)),
                io.redpacket.avro.VariantCommit.getClassSchema());
    }
}
