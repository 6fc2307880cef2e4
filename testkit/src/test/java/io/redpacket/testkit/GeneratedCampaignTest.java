package io.redpacket.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.FileManifest;
import io.redpacket.cli.BadInputException;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.io.GeneratedVariant;
import io.redpacket.io.LocalFileStore;
import io.redpacket.keys.KeyBlacklist;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedCampaignTest {
    @TempDir
    Path tmp;

    @Test
    void theTruthReadBackFromTheFilesMatchesThePlanToTheFen() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .slots(2)
                .shards(3)
                .sponsors(3)
                .perAllocation(50)
                .seed(7)
                .build(tmp.resolve("v"));

        long planned = c.plan().getAllocations().stream()
                .mapToLong(Allocation::getTotalFen)
                .sum();
        assertThat(c.sealedFen()).isEqualTo(planned).isEqualTo(c.budgetFen());
        assertThat(c.envelopeCount()).isEqualTo(2 * 3 * 50);
        for (BatchConfig b : c.batches()) {
            List<GeneratedCampaign.Envelope> mine = c.envelopes().stream()
                    .filter(e -> e.batchId() == b.getBatchId())
                    .toList();
            assertThat(mine).hasSize((int) b.getCount());
            assertThat(mine.stream()
                            .mapToLong(GeneratedCampaign.Envelope::amountFen)
                            .sum())
                    .isEqualTo(b.getTotalFen());
            assertThat(mine).allSatisfy(e -> assertThat(e.amountFen()).isBetween(b.getMinFen(), b.getMaxFen()));
        }
        for (FileManifest m : c.manifests()) {
            assertThat(c.recordsPerFile().get(m.getFileName())).isEqualTo(m.getRecordCount());
            assertThat(c.inFile(m.getFileName()).stream()
                            .mapToLong(GeneratedCampaign.Envelope::amountFen)
                            .sum())
                    .isEqualTo(m.getAmountFen());
        }
        assertThat(c.recordsPerFile()).hasSize(2 * 3);
        long[] streamed = new long[2];
        c.forEachEnvelope((id, amount, batch, key) -> {
            streamed[0]++;
            streamed[1] += amount;
            assertThat(amount).isEqualTo(c.amountFen(id));
            assertThat(key).isEqualTo(c.keyId(id));
        });
        assertThat(streamed).containsExactly(c.envelopeCount(), planned);
    }

    @Test
    void slotsRunFromTheStartForTheirLengthAndSessionsAreSignedWhenAsked() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .slots(3)
                .slotMs(60_000)
                .startMs(GeneratedCampaign.T0)
                .sessionRing()
                .build(tmp.resolve("v"));

        assertThat(c.slotIds()).containsExactly("s1", "s2", "s3");
        assertThat(c.slotStart(2)).isEqualTo(GeneratedCampaign.T0 + 120_000);
        assertThat(c.endMs()).isEqualTo(GeneratedCampaign.T0 + 180_000);
        assertThat(c.sessionRingFile()).exists();
        assertThat(c.auth("u1")).startsWith("Session ");
    }

    @Test
    void explicitLinesBecomeOneBatchEachWithContiguousIdsAndTheirChannel() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .lines(List.of(
                        new GeneratedCampaign.Line("a", "cash", 30, 100, 500),
                        new GeneratedCampaign.Line("b", "coupon", 70, 1, 99)))
                .build(tmp.resolve("v1"));

        assertThat(c.batches()).extracting(BatchConfig::getFirstEnvelopeId).containsExactly(0L, 30L);
        assertThat(c.batch(2).getChannel()).isEqualTo("coupon");
        assertThat(c.batchOfEnvelope(30).getSponsorId()).isEqualTo("b");
        assertThat(c.amountFen(99)).isBetween(1L, 99L);
        var opened = new TicketOpener(c.ring, KeyBlacklist.of()).open(c.record(42), 0);
        assertThat(opened.envelopeId()).isEqualTo(42);
        assertThat(opened.amountFen()).isEqualTo(c.amountFen(42));
        assertThat(opened.keyId()).isEqualTo(c.keyId(42));
    }

    @Test
    void aLineAloneInItsSlotIsSealedUnderKeysNoOtherLineUses() throws Exception {
        GeneratedCampaign.Line a = new GeneratedCampaign.Line("a", "cash", 40, 100, 500);
        GeneratedCampaign.Line b = new GeneratedCampaign.Line("b", "cash", 40, 100, 500);
        GeneratedCampaign c = GeneratedCampaign.builder()
                .slotLines(List.of(List.of(a), List.of(b)))
                .shards(2)
                .build(tmp.resolve("v"));

        java.util.Set<Integer> keysOfA = new java.util.HashSet<>();
        java.util.Set<Integer> keysOfB = new java.util.HashSet<>();
        c.envelopes()
                .forEach(e -> (c.batch(e.batchId()).getSponsorId().equals("a") ? keysOfA : keysOfB).add(e.keyId()));
        assertThat(keysOfA).isNotEmpty().doesNotContainAnyElementsOf(keysOfB);
        assertThat(c.slotIds()).hasSize(2);
        assertThat(c.budgetFen()).isEqualTo(c.sealedFen());
    }

    @Test
    void aTamperedManifestIsRefusedByTheOneReaderUntilRestored() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder().build(tmp.resolve("v"));

        c.tamperManifest();
        assertThatThrownBy(() -> GeneratedVariant.open(LocalFileStore.INSTANCE, GeneratedCampaign.uri(c.dir)))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining(CampaignLayout.MANIFESTS);
        c.restore(CampaignLayout.MANIFESTS);
        assertThat(GeneratedVariant.open(LocalFileStore.INSTANCE, GeneratedCampaign.uri(c.dir))
                        .manifests())
                .hasSize(1);
    }

    @Test
    void aMissingMarkerOrEnvelopeFileIsFound() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder().shards(2).build(tmp.resolve("v"));
        String file = c.manifests().get(1).getFileName();

        c.deleteFile(file);
        assertThat(c.variant.checkPublished())
                .singleElement()
                .asString()
                .contains(file)
                .contains("missing");
        c.deleteFile(CampaignLayout.COMMIT);
        assertThatThrownBy(() -> GeneratedVariant.open(LocalFileStore.INSTANCE, GeneratedCampaign.uri(c.dir)))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining(CampaignLayout.COMMIT);
    }

    @Test
    void aForgedRecordDoesNotOpenAndItsFileNoLongerMatchesItsManifest() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder().build(tmp.resolve("v"));
        FileManifest m = c.manifests().get(0);

        byte[] forged = c.forgeRecord(m.getFileName(), 3, 99_999);
        assertThat(new TicketOpener(c.ring, KeyBlacklist.of()).open(forged, 0).isValid())
                .isFalse();
        assertThat(EnvelopeFiles.checksum(c.file(m.getFileName()))).isNotEqualTo(m.getChecksum());
    }

    @Test
    void twoCampaignsOfOneShapeAreSeparateCopiesSoDamageToOneLeavesTheOther() throws Exception {
        GeneratedCampaign a = GeneratedCampaign.builder().sessionRing().build(tmp.resolve("a/v"));
        GeneratedCampaign b = GeneratedCampaign.builder().sessionRing().build(tmp.resolve("b/v"));

        a.corrupt("s1", 0, 0);
        a.deleteFile(CampaignLayout.COMMIT);
        assertThat(b.sealedFen()).isEqualTo(b.budgetFen());
        assertThat(GeneratedVariant.open(LocalFileStore.INSTANCE, GeneratedCampaign.uri(b.dir))
                        .checkPublished())
                .isEmpty();
        assertThat(b.sessionRingFile()).exists().isNotEqualTo(a.sessionRingFile());
    }

    @Test
    void aCorruptedRecordFailsTheTruthRead() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder().build(tmp.resolve("v"));

        c.corrupt("s1", 0, 5);
        assertThatThrownBy(() -> GeneratedCampaign.open(c.dir, c.password).amountFen(0))
                .hasMessageContaining("record 5 does not open");
    }
}
