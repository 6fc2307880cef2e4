package io.redpacket.generation.plan;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;
import io.redpacket.cli.BadInputException;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.generation.input.Budget;
import io.redpacket.generation.input.FundingScript;
import io.redpacket.generation.split.AmountSplitter;
import io.redpacket.generation.split.Keyed;
import io.redpacket.io.CampaignLayout;
import io.redpacket.keys.KeyAllotment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Lays out one validated variant: batches, the deal of each slot's envelopes to its shards, and key ranges.
 *
 * <p>Batches follow the slots in time order, and the script's order within a slot; envelope ids are handed out
 * from a running offset in that order, so each batch owns one contiguous range.
 *
 * <p>The deal. Picture a slot's envelopes in batch order at positions 0..N-1 and deal position p to shard
 * {@code (p + r) mod S}, like cards, with a keyed rotation r. Only the counts of that deal are used: shard s
 * receives from batch j exactly the number of positions of j's range that fall to it, taken as one contiguous
 * piece of the batch. So every shard gets {@code n_j / S} envelopes of batch j, rounded up or down, and
 * {@code N / S} in all, rounded up or down: each file holds the slot's sponsors and types in exact proportion
 * and file sizes differ by at most one record. The money of a piece is its exact share of the batch total
 * ({@link AmountSplitter#share}), so shards also carry money in proportion. Randomness (amounts, order in
 * the file) is added when the file is generated.
 */
public final class VariantPlanner {
    /**
     * Records shuffled together. 65,536 keeps a block's arrays (1 MB) in the core's cache: the permutation costs
     * about 4 ns per record against 15-18 ns with blocks of a million (measured here).
     */
    public static final int DEFAULT_BLOCK_SIZE = 1 << 16;

    private final int shards;
    private final long seed;
    private final KeyAllotment allotment;
    private final int blockSize;

    public VariantPlanner(int shards, long seed, KeyAllotment allotment, int blockSize) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards: " + shards + " (must be at least 1)");
        }
        this.shards = shards;
        this.seed = seed;
        this.allotment = allotment;
        this.blockSize = blockSize;
    }

    /** Plans every variant of the script, each with its own envelope id and key id ranges, in script order. */
    public List<VariantPlan> planAll(FundingScript script, Budget budget, int firstKeyId) throws BadInputException {
        List<VariantPlan> plans = new ArrayList<>();
        long nextKey = firstKeyId;
        long nextId = 0;
        int order = 0;
        for (FundingScript.Variant v : script.variants()) {
            VariantPlan p = plan(script, v, budget, nextKey, nextId, order);
            plans.add(p);
            nextKey = p.nextKeyId();
            nextId = p.nextEnvelopeId();
            order += p.files().size();
        }
        return plans;
    }

    VariantPlan plan(
            FundingScript script,
            FundingScript.Variant v,
            Budget budget,
            long firstKeyId,
            long firstEnvelopeId,
            int firstOrder)
            throws BadInputException {
        List<Slot> slots = v.slots().stream()
                .map(FundingScript.SlotEntry::slot)
                .sorted(Comparator.comparingLong(Slot::getStartMs))
                .toList();
        long variantKey = Keyed.derive(Keyed.derive(Keyed.mix(seed), script.campaignId()), v.name());
        List<BatchConfig> batches = new ArrayList<>();
        List<Allocation> allocations = new ArrayList<>();
        long nextId = firstEnvelopeId;
        for (Slot slot : slots) {
            for (FundingScript.AllocationEntry e : v.allocations()) {
                Allocation a = e.allocation();
                if (!a.getSlotId().equals(slot.getSlotId())) {
                    continue;
                }
                BudgetLine sponsor = budget.sponsor(a.getSponsorId());
                batches.add(BatchConfig.newBuilder()
                        .setBatchId(batches.size() + 1)
                        .setCampaignId(script.campaignId())
                        .setVariant(v.name())
                        .setSlotId(a.getSlotId())
                        .setSponsorId(a.getSponsorId())
                        .setSponsorName(sponsor.getSponsorName())
                        .setPaymentOrder(sponsor.getPaymentOrder())
                        .setEnvelopeAccount(sponsor.getEnvelopeAccount())
                        .setType(a.getType())
                        .setChannel(a.getChannel())
                        .setCount(a.getCount())
                        .setTotalFen(a.getTotalFen())
                        .setMinFen(a.getMinFen())
                        .setMaxFen(a.getMaxFen())
                        .setFirstEnvelopeId(nextId)
                        .build());
                allocations.add(a);
                nextId += a.getCount();
            }
        }
        List<FileTask> files = new ArrayList<>();
        long nextKey = firstKeyId;
        int from = 0;
        for (Slot slot : slots) {
            int to = from;
            while (to < batches.size() && batches.get(to).getSlotId().equals(slot.getSlotId())) {
                to++;
            }
            nextKey = dealSlot(
                    v.name(), slot.getSlotId(), batches.subList(from, to), variantKey, nextKey, firstOrder, files);
            from = to;
        }
        if (nextKey - 1 > EnvelopeLayout.MAX_KEY_ID) {
            throw new BadInputException(String.format(
                    "%s:%d: %s: needs key ids %d..%d (%,d keys at a cap of %,d fen per key) but key ids end at %d"
                            + " (a higher --key-cap-fen or fewer shards need fewer keys)",
                    script.file(),
                    v.line(),
                    v.field(),
                    firstKeyId,
                    nextKey - 1,
                    nextKey - firstKeyId,
                    allotment.capFen(),
                    EnvelopeLayout.MAX_KEY_ID));
        }
        FundingPlan plan = new FundingPlan(script.campaignId(), v.name(), new ArrayList<>(slots), allocations);
        return new VariantPlan(
                script.campaignId(),
                v.name(),
                plan,
                batches,
                files,
                (int) firstKeyId,
                (int) nextKey,
                firstEnvelopeId,
                nextId,
                shards,
                seed);
    }

    /**
     * Deals one slot and returns the next free key id. Keys are counted in 64 bits: a campaign too big for the key
     * id space is reported with the number of keys it really needs, and its files are not planned.
     */
    private long dealSlot(
            String variant,
            String slotId,
            List<BatchConfig> batches,
            long variantKey,
            long nextKey,
            int firstOrder,
            List<FileTask> files) {
        int k = batches.size();
        long[] start = new long[k];
        long total = 0;
        for (int j = 0; j < k; j++) {
            start[j] = total;
            total += batches.get(j).getCount();
        }
        long rotation = Keyed.below(Keyed.derive(variantKey, "deal/" + slotId), shards);
        long[] taken = new long[k];
        for (int s = 0; s < shards; s++) {
            long residue = Math.floorMod(s - rotation, shards);
            List<Integer> idx = new ArrayList<>();
            List<Long> cnt = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                long c = countCongruent(start[j], start[j] + batches.get(j).getCount(), residue, shards);
                if (c > 0) {
                    idx.add(j);
                    cnt.add(c);
                }
            }
            int n = idx.size();
            int[] batchIds = new int[n];
            long[] indexFrom = new long[n];
            long[] firstIds = new long[n];
            long[] counts = new long[n];
            long[] totals = new long[n];
            long[] mins = new long[n];
            long[] maxs = new long[n];
            long amount = 0;
            long maxEnvelope = 0;
            for (int i = 0; i < n; i++) {
                int j = idx.get(i);
                BatchConfig b = batches.get(j);
                long c = cnt.get(i);
                batchIds[i] = b.getBatchId();
                indexFrom[i] = taken[j];
                firstIds[i] = b.getFirstEnvelopeId() + taken[j];
                counts[i] = c;
                totals[i] = AmountSplitter.share(b.getTotalFen(), b.getCount(), taken[j], taken[j] + c);
                mins[i] = b.getMinFen();
                maxs[i] = b.getMaxFen();
                taken[j] += c;
                amount += totals[i];
                maxEnvelope = Math.max(maxEnvelope, b.getMaxFen());
            }
            long keys = amount == 0 ? 0 : allotment.keysNeeded(amount, maxEnvelope);
            if (nextKey + keys - 1 <= EnvelopeLayout.MAX_KEY_ID) {
                files.add(new FileTask(
                        firstOrder + files.size(),
                        variant,
                        slotId,
                        s,
                        CampaignLayout.envelopeFile(slotId, s),
                        batchIds,
                        indexFrom,
                        firstIds,
                        counts,
                        totals,
                        mins,
                        maxs,
                        (int) nextKey,
                        (int) (nextKey + keys - 1),
                        allotment.capFen(),
                        variantKey,
                        blockSize));
            }
            nextKey += keys;
        }
        return nextKey;
    }

    /** How many p in [from, to) have p mod m == residue. */
    static long countCongruent(long from, long to, long residue, long m) {
        return Math.floorDiv(to - 1 - residue, m) - Math.floorDiv(from - 1 - residue, m);
    }
}
