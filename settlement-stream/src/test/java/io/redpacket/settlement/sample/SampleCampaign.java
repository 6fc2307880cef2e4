package io.redpacket.settlement.sample;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BatchSummary;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.EnvelopeType;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;
import io.redpacket.avro.VariantCommit;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.io.AtomicFiles;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.io.GeneratedVariant;
import io.redpacket.io.LocalFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A small generated variant in exactly generation's layout ({@link CampaignLayout}): budget, batches, plan,
 * manifests, shuffled envelope files, both key rings and, last, the {@code _COMMITTED} marker every reader
 * requires ({@link GeneratedVariant#commitOf}). For tests, the benchmark and trying the job without the Spark
 * generator; the records are sealed with the shared {@link TicketSealer}. One slot, batch i+1 per sponsor line,
 * contiguous envelope ids from 0, key ids assigned per line.
 */
public final class SampleCampaign {
    /** One sponsor's allocation: {@code count} envelopes of minFen..maxFen on {@code channel}, sealed under {@code keyId}. */
    public record Line(String sponsorId, String channel, int count, long minFen, long maxFen, int keyId) {}

    public final Path dir;
    public final KeyRing ring;
    public final List<BatchConfig> batches;
    /** Every generated record, envelope id i at offset 26 i. */
    public final byte[] records;
    public final long[] amounts;
    public final long campaignEndMs;

    private SampleCampaign(Path dir, KeyRing ring, List<BatchConfig> batches, byte[] records, long[] amounts, long campaignEndMs) {
        this.dir = dir;
        this.ring = ring;
        this.batches = batches;
        this.records = records;
        this.amounts = amounts;
        this.campaignEndMs = campaignEndMs;
    }

    /** Writes the variant into {@code dir}; {@code seed} decides amounts and the shuffle. */
    public static SampleCampaign write(Path dir, char[] password, List<Line> lines, int files, long startMs, long endMs,
                                       long seed) throws IOException {
        Random random = new Random(seed);
        int maxKey = lines.stream().mapToInt(Line::keyId).max().orElse(1);
        KeyRing ring = KeyRing.generate(maxKey, new SecureRandom());
        TicketSealer sealer = new TicketSealer(ring);
        String campaignId = "sample";
        String variant = dir.getFileName().toString();
        String slotId = "s1";
        long total = lines.stream().mapToLong(Line::count).sum();
        byte[] records = new byte[Math.toIntExact(total * EnvelopeLayout.RECORD_BYTES)];
        long[] amounts = new long[(int) total];
        List<BatchConfig> batches = new ArrayList<>();
        List<Allocation> allocations = new ArrayList<>();
        long next = 0;
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            int batchId = i + 1;
            long sum = 0;
            for (int k = 0; k < l.count(); k++, next++) {
                long amount = l.minFen() + (long) (random.nextDouble() * (l.maxFen() - l.minFen() + 1));
                amounts[(int) next] = amount;
                sum += amount;
                sealer.seal(next, amount, batchId, l.keyId(), records, (int) next * EnvelopeLayout.RECORD_BYTES);
            }
            batches.add(BatchConfig.newBuilder().setBatchId(batchId).setCampaignId(campaignId).setVariant(variant)
                    .setSlotId(slotId).setSponsorId(l.sponsorId()).setSponsorName("Sponsor " + l.sponsorId())
                    .setPaymentOrder("PO-" + l.sponsorId()).setEnvelopeAccount("ACC-" + l.sponsorId())
                    .setType(EnvelopeType.PICTURE).setChannel(l.channel()).setCount(l.count()).setTotalFen(sum)
                    .setMinFen(l.minFen()).setMaxFen(l.maxFen()).setFirstEnvelopeId(next - l.count()).build());
            allocations.add(Allocation.newBuilder().setSlotId(slotId).setSponsorId(l.sponsorId()).setType(EnvelopeType.PICTURE)
                    .setTotalFen(sum).setCount(l.count()).setMinFen(l.minFen()).setMaxFen(l.maxFen()).setChannel(l.channel()).build());
        }

        // multi-sponsor shuffle, then deal round-robin into the files
        long[] order = new long[(int) total];
        int n = 0;
        for (long id = 0; id < total; id++) {
            order[n++] = id;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        Files.createDirectories(dir);
        List<FileManifest> manifests = new ArrayList<>();
        for (int f = 0; f < files; f++) {
            String name = CampaignLayout.envelopeFile(slotId, f);
            Path file = dir.resolve(name);
            Files.createDirectories(file.getParent());
            int inFile = (n - f + files - 1) / files;
            byte[] buf = new byte[inFile * EnvelopeLayout.RECORD_BYTES];
            Map<Integer, long[]> perBatch = new TreeMap<>();
            long fileFen = 0;
            int w = 0;
            for (int i = f; i < n; i += files, w++) {
                int id = (int) order[i];
                System.arraycopy(records, id * EnvelopeLayout.RECORD_BYTES, buf, w * EnvelopeLayout.RECORD_BYTES, EnvelopeLayout.RECORD_BYTES);
                int batch = batchOf(batches, id);
                long[] cnt = perBatch.computeIfAbsent(batch, b -> new long[2]);
                cnt[0]++;
                cnt[1] += amounts[id];
                fileFen += amounts[id];
            }
            AtomicFiles.write(file, tmp -> Files.write(tmp, buf));
            List<BatchSummary> summaries = new ArrayList<>();
            perBatch.forEach((b, c) -> summaries.add(BatchSummary.newBuilder().setBatchId(b).setCount(c[0]).setAmountFen(c[1]).build()));
            manifests.add(FileManifest.newBuilder().setCampaignId(campaignId).setVariant(variant).setSlotId(slotId).setShard(f)
                    .setFileName(name).setRecordCount(inFile).setAmountFen(fileFen)
                    .setKeyIds(lines.stream().map(Line::keyId).distinct().sorted().toList())
                    .setBatches(summaries).setChecksum(EnvelopeFiles.checksum(file)).build());
        }
        AvroFiles.writeAll(dir.resolve(CampaignLayout.BATCHES), batches, BatchConfig.getClassSchema());
        AvroFiles.writeAll(dir.resolve(CampaignLayout.MANIFESTS), manifests, FileManifest.getClassSchema());
        FundingPlan plan = FundingPlan.newBuilder().setCampaignId(campaignId).setVariant(variant)
                .setSlots(List.of(Slot.newBuilder().setSlotId(slotId).setStartMs(startMs).setEndMs(endMs).build()))
                .setAllocations(allocations).build();
        AvroFiles.writeAll(dir.resolve(CampaignLayout.PLAN), List.of(plan), FundingPlan.getClassSchema());
        List<BudgetLine> budget = batches.stream().map(b -> BudgetLine.newBuilder().setSponsorId(b.getSponsorId())
                .setSponsorName(b.getSponsorName()).setPaymentOrder(b.getPaymentOrder()).setEnvelopeAccount(b.getEnvelopeAccount())
                .setFundedFen(b.getTotalFen()).build()).toList();
        AvroFiles.writeAll(dir.resolve(CampaignLayout.BUDGET), budget, BudgetLine.getClassSchema());
        KeyRingStore.save(ring, CampaignLayout.openRing(dir), password, 1000);
        KeyRingStore.save(ring.tokenOnly(), CampaignLayout.tokenRing(dir), password, 1000);
        commit(dir, campaignId, variant, manifests);
        return new SampleCampaign(dir, ring, batches, records, amounts, endMs);
    }

    /** The marker generation writes last: every file with its size and checksum (envelope files: their manifests'). */
    private static void commit(Path dir, String campaignId, String variant, List<FileManifest> manifests) throws IOException {
        URI root = Locations.canonical(dir.toAbsolutePath().toUri());
        Map<String, String> known = new TreeMap<>();
        manifests.forEach(m -> known.put(m.getFileName(), m.getChecksum()));
        VariantCommit commit = GeneratedVariant.commitOf(LocalFileStore.INSTANCE, root, campaignId, variant, known, System.currentTimeMillis());
        AvroFiles.writeAll(LocalFileStore.INSTANCE, Locations.child(root, CampaignLayout.COMMIT), List.of(commit), VariantCommit.getClassSchema());
    }

    private static int batchOf(List<BatchConfig> batches, long id) {
        for (BatchConfig b : batches) {
            if (id >= b.getFirstEnvelopeId() && id < b.getFirstEnvelopeId() + b.getCount()) {
                return b.getBatchId();
            }
        }
        throw new IllegalStateException("no batch for " + id);
    }

    public int recordOffset(long envelopeId) {
        return Math.toIntExact(envelopeId * EnvelopeLayout.RECORD_BYTES);
    }

    public BatchConfig batchOfEnvelope(long envelopeId) {
        return batches.get(batchOf(batches, envelopeId) - 1);
    }
}
