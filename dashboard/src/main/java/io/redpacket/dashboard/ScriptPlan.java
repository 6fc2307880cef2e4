package io.redpacket.dashboard;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The script the campaign runs against, from a generation variant's {@code plan.avro} (and sponsor names from
 * {@code batches.avro}): the slots of the time axis (before any countdown shift), the budget per slot and
 * sponsor in fen, and the crediting channels. Immutable.
 */
public record ScriptPlan(
        String campaignId,
        String variant,
        List<SlotBudget> slots,
        Map<String, String> sponsorNames,
        Set<String> channels) {

    /** One slot: its unshifted window and what each sponsor spends in it. */
    public record SlotBudget(String slotId, long startMs, long endMs, Map<String, Long> fenBySponsor, long envelopes) {
        public long totalFen() {
            return fenBySponsor.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public static ScriptPlan load(Path variantDir) throws IOException {
        List<FundingPlan> plans = AvroFiles.readAll(variantDir.resolve(CampaignLayout.PLAN), FundingPlan.class);
        if (plans.size() != 1) {
            throw new IOException(
                    variantDir.resolve(CampaignLayout.PLAN) + ": expected one FundingPlan, found " + plans.size());
        }
        Map<String, String> names = new TreeMap<>();
        Path batches = variantDir.resolve(CampaignLayout.BATCHES);
        if (Files.isRegularFile(batches)) {
            for (BatchConfig b : AvroFiles.readAll(batches, BatchConfig.class)) {
                names.put(b.getSponsorId(), b.getSponsorName());
            }
        }
        return of(plans.get(0), names);
    }

    public static ScriptPlan of(FundingPlan plan, Map<String, String> sponsorNames) {
        List<SlotBudget> slots = new ArrayList<>();
        Set<String> channels = new TreeSet<>();
        for (Slot s : plan.getSlots()) {
            Map<String, Long> fen = new TreeMap<>();
            long envelopes = 0;
            for (Allocation a : plan.getAllocations()) {
                if (a.getSlotId().equals(s.getSlotId())) {
                    fen.merge(a.getSponsorId(), a.getTotalFen(), Long::sum);
                    envelopes += a.getCount();
                }
            }
            slots.add(new SlotBudget(s.getSlotId(), s.getStartMs(), s.getEndMs(), Map.copyOf(fen), envelopes));
        }
        plan.getAllocations().forEach(a -> channels.add(a.getChannel()));
        slots.sort(java.util.Comparator.comparingLong(SlotBudget::startMs));
        Map<String, String> names = new TreeMap<>(sponsorNames);
        plan.getAllocations().forEach(a -> names.putIfAbsent(a.getSponsorId(), a.getSponsorId()));
        return new ScriptPlan(
                plan.getCampaignId(),
                plan.getVariant(),
                List.copyOf(slots),
                Map.copyOf(names),
                Set.copyOf(new TreeSet<>(channels)));
    }

    /** Sponsor ids, sorted. */
    public List<String> sponsors() {
        return new ArrayList<>(new TreeSet<>(sponsorNames.keySet()));
    }

    public long budgetFen(String sponsorId) {
        return slots.stream()
                .mapToLong(s -> s.fenBySponsor().getOrDefault(sponsorId, 0L))
                .sum();
    }

    /**
     * The index of the slot that a credit at wall-clock {@code ms} belongs to for progress: the last slot that had
     * started by then (credits lag opens, so credits just after a slot's end still count for it); -1 before the first.
     */
    public int slotForCreditAt(long ms, long shiftMs) {
        int found = -1;
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).startMs() + shiftMs <= ms) {
                found = i;
            }
        }
        return found;
    }

    /**
     * How much of a sponsor's money the script has scheduled by wall-clock {@code ms}: finished slots in full, the
     * running one in proportion to its elapsed time. Fen, rounded down.
     */
    public long scriptedToDateFen(String sponsorId, long ms, long shiftMs) {
        long fen = 0;
        for (SlotBudget s : slots) {
            long start = s.startMs() + shiftMs;
            long end = s.endMs() + shiftMs;
            long budget = s.fenBySponsor().getOrDefault(sponsorId, 0L);
            if (ms >= end) {
                fen += budget;
            } else if (ms > start) {
                fen += java.math.BigInteger.valueOf(budget)
                        .multiply(java.math.BigInteger.valueOf(ms - start))
                        .divide(java.math.BigInteger.valueOf(end - start))
                        .longValueExact();
            }
        }
        return fen;
    }
}
