package io.redpacket.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.BatchConfig;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.generation.input.ValidatedInputs;
import io.redpacket.generation.plan.FileResult;
import io.redpacket.generation.plan.FileTask;
import io.redpacket.generation.plan.VariantPlan;
import io.redpacket.generation.plan.VariantPlanner;
import io.redpacket.generation.split.FileGenerator;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.io.LocalFileStore;
import io.redpacket.keys.KeyAllotment;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One file at a time, without Spark: what is written opens, adds up, respects the key cap, and is shuffled. */
class FileGenerationTest {
    @TempDir
    Path dir;

    @Test
    void filesOpenAddUpAndHoldEveryEnvelopeOnce() throws Exception {
        ValidatedInputs in = Fixtures.demo();
        long cap = 16_777_215L;
        // a small block forces several shuffle blocks per file
        VariantPlan p = new VariantPlanner(3, 11, new KeyAllotment(cap), 5000)
                .planAll(in.script(), in.budget(), 1)
                .get(0);
        KeyRing ring = KeyRing.generate(p.nextKeyId(), new SecureRandom());
        FileGenerator gen = new FileGenerator(new TicketSealer(ring));
        TicketOpener opener = new TicketOpener(ring, new KeyBlacklist());
        BitSet seen = new BitSet();
        Map<Integer, long[]> perBatch = new HashMap<>();
        Map<Integer, Long> perKey = new HashMap<>();
        for (FileTask t : p.files()) {
            FileResult r = gen.generate(t, LocalFileStore.INSTANCE, uri(dir));
            Path file = dir.resolve(t.fileName);
            assertThat(EnvelopeFiles.recordCount(file))
                    .isEqualTo(t.recordCount())
                    .isEqualTo(r.recordCount());
            assertThat(EnvelopeFiles.checksum(file)).isEqualTo(r.checksum());
            byte[] bytes = Files.readAllBytes(file);
            long fen = 0;
            for (int off = 0; off < bytes.length; off += EnvelopeLayout.RECORD_BYTES) {
                OpenedTicket o = opener.open(bytes, off);
                assertThat(o.isValid())
                        .as("record at %d of %s: %s", off, t.fileName, o)
                        .isTrue();
                BatchConfig b = p.batches().get(o.batchId() - 1);
                assertThat(o.envelopeId()).isBetween(b.getFirstEnvelopeId(), b.getFirstEnvelopeId() + b.getCount() - 1);
                assertThat(o.amountFen()).isBetween(b.getMinFen(), b.getMaxFen());
                assertThat(o.keyId()).isBetween(t.firstKeyId, t.lastKeyId);
                assertThat(seen.get((int) o.envelopeId()))
                        .as("envelope %d twice", o.envelopeId())
                        .isFalse();
                seen.set((int) o.envelopeId());
                long[] s = perBatch.computeIfAbsent(o.batchId(), x -> new long[2]);
                s[0]++;
                s[1] += o.amountFen();
                perKey.merge(o.keyId(), o.amountFen(), Long::sum);
                fen += o.amountFen();
            }
            assertThat(fen).isEqualTo(t.amountFen()).isEqualTo(r.amountFen());
        }
        assertThat(seen.cardinality()).isEqualTo((int) p.envelopeCount());
        for (BatchConfig b : p.batches()) {
            assertThat(perBatch.get(b.getBatchId())).containsExactly(b.getCount(), b.getTotalFen());
        }
        assertThat(perKey.values()).allMatch(v -> v <= cap);
        assertThat(perKey.size()).isGreaterThan(p.files().size()); // keys really rotated
    }

    @Test
    void orderInsideAFileIsRandom() throws Exception {
        ValidatedInputs in = Fixtures.demo();
        VariantPlan p = new VariantPlanner(1, 3, KeyAllotment.defaults(), 1 << 20)
                .planAll(in.script(), in.budget(), 1)
                .get(0);
        KeyRing ring = KeyRing.generate(p.nextKeyId(), new SecureRandom());
        FileTask t = p.files().get(1); // slot s2030: 5 batches, 44,000 records in one shard
        new FileGenerator(new TicketSealer(ring)).generate(t, LocalFileStore.INSTANCE, uri(dir));
        byte[] bytes = Files.readAllBytes(dir.resolve(t.fileName));
        TicketOpener opener = new TicketOpener(ring, new KeyBlacklist());
        int n = bytes.length / EnvelopeLayout.RECORD_BYTES;
        int tenths = 10;
        int k = t.pieces();
        long[][] observed = new long[tenths][k];
        Map<Integer, Integer> col = new HashMap<>();
        for (int i = 0; i < k; i++) {
            col.put(t.batchIds[i], i);
        }
        long previousId = -1;
        int ascending = 0;
        for (int r = 0; r < n; r++) {
            OpenedTicket o = opener.open(bytes, r * EnvelopeLayout.RECORD_BYTES);
            observed[(int) ((long) r * tenths / n)][col.get(o.batchId())]++;
            if (o.envelopeId() == previousId + 1) {
                ascending++;
            }
            previousId = o.envelopeId();
        }
        // batch mix of each tenth of the file vs the file's mix: chi-square, (10-1)*(k-1) df
        double chi = DealStatistics.chiSquareIndependence(observed);
        assertThat(chi).isLessThan(DealStatistics.critical999((tenths - 1) * (k - 1)));
        // consecutive records are not consecutive envelopes (they would be, unshuffled)
        assertThat(ascending).isLessThan(n / 1000 + 10);
    }

    @Test
    void sameTaskSameBytes() throws Exception {
        ValidatedInputs in = Fixtures.demo();
        VariantPlan p = new VariantPlanner(4, 9, KeyAllotment.defaults(), 3000)
                .planAll(in.script(), in.budget(), 1)
                .get(1);
        KeyRing ring = KeyRing.generate(p.nextKeyId(), new SecureRandom());
        FileTask t = p.files().get(2);
        FileResult a =
                new FileGenerator(new TicketSealer(ring)).generate(t, LocalFileStore.INSTANCE, uri(dir.resolve("a")));
        FileResult b =
                new FileGenerator(new TicketSealer(ring)).generate(t, LocalFileStore.INSTANCE, uri(dir.resolve("b")));
        assertThat(a.checksum()).isEqualTo(b.checksum());
        VariantPlan other = new VariantPlanner(4, 10, KeyAllotment.defaults(), 3000)
                .planAll(in.script(), in.budget(), 1)
                .get(1);
        FileResult c = new FileGenerator(new TicketSealer(ring))
                .generate(other.files().get(2), LocalFileStore.INSTANCE, uri(dir.resolve("c")));
        assertThat(c.checksum()).isNotEqualTo(a.checksum());
        assertThat(List.of(a.recordCount(), a.amountFen())).isEqualTo(List.of(c.recordCount(), c.amountFen()));
    }

    @Test
    void moreShardsThanEnvelopesLeavesEmptyFilesWithoutKeys() throws Exception {
        Files.writeString(
                dir.resolve("b.csv"),
                "sponsor_id,sponsor_name,payment_order,envelope_account,funded_fen\nSP1,A,PO-1,ACC-1,1000\n");
        Files.writeString(dir.resolve("s.yaml"), """
                campaign: tiny
                slots: [{id: s1, start: 0, end: 1000}]
                variants:
                  - name: v
                    allocations: [{slot: s1, sponsor: SP1, type: video, total_fen: 1000, count: 10, min_fen: 1, max_fen: 200}]
                """);
        ValidatedInputs in =
                io.redpacket.generation.input.InputValidator.validate(dir.resolve("b.csv"), dir.resolve("s.yaml"));
        VariantPlan p = new VariantPlanner(16, 1, KeyAllotment.defaults(), 1 << 16)
                .planAll(in.script(), in.budget(), 1)
                .get(0);
        assertThat(p.files()).hasSize(16);
        assertThat(p.nextKeyId() - p.firstKeyId()).isEqualTo(10);
        FileTask empty =
                p.files().stream().filter(t -> t.recordCount() == 0).findFirst().orElseThrow();
        assertThat(empty.keyCount()).isZero();
        FileResult r = new FileGenerator(new TicketSealer(KeyRing.generate(1, new SecureRandom())))
                .generate(empty, LocalFileStore.INSTANCE, uri(dir));
        assertThat(r.recordCount()).isZero();
        assertThat(r.keyIds()).isEmpty();
        assertThat(dir.resolve(empty.fileName)).isEmptyFile();
        assertThat(p.files().stream().mapToLong(FileTask::recordCount).sum()).isEqualTo(p.envelopeCount());
    }

    private static java.net.URI uri(Path p) {
        return io.redpacket.io.Locations.parse(p.toString());
    }
}
