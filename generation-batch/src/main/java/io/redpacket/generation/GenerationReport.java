package io.redpacket.generation;

import io.redpacket.avro.BatchConfig;
import io.redpacket.generation.plan.FileResult;
import io.redpacket.generation.plan.VariantPlan;
import io.redpacket.money.Fen;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** The human-readable report.txt of a variant: totals per sponsor, slot and type; files; keys. From what was written. */
final class GenerationReport {
    private GenerationReport() {}

    static String render(VariantPlan plan, List<FileResult> results, long keyCapFen) {
        StringBuilder sb = new StringBuilder();
        sb.append("redpacket generation report\n");
        sb.append("campaign ")
                .append(plan.campaignId())
                .append(", variant ")
                .append(plan.variant())
                .append(", seed ")
                .append(plan.seed())
                .append(", shards per slot ")
                .append(plan.shards())
                .append("\n\n");
        long count = results.stream().mapToLong(FileResult::recordCount).sum();
        long amount = results.stream().mapToLong(FileResult::amountFen).sum();
        sb.append(String.format(
                "envelopes %,d   amount %,d fen (%s yuan)   batches %d   envelope ids %d..%d%n%n",
                count,
                amount,
                Fen.yuan(amount),
                plan.batches().size(),
                plan.firstEnvelopeId(),
                plan.nextEnvelopeId() - 1));
        Map<Integer, long[]> perBatch = new TreeMap<>();
        for (FileResult r : results) {
            for (int i = 0; i < r.batchIds().length; i++) {
                long[] t = perBatch.computeIfAbsent(r.batchIds()[i], b -> new long[2]);
                t[0] += r.batchCounts()[i];
                t[1] += r.batchAmountsFen()[i];
            }
        }
        table(sb, "per sponsor", plan.batches(), b -> b.getSponsorId() + " " + b.getSponsorName(), perBatch);
        table(sb, "per slot", plan.batches(), BatchConfig::getSlotId, perBatch);
        table(sb, "per type", plan.batches(), b -> b.getType().toString(), perBatch);
        sb.append("files\n");
        Map<String, long[]> perSlot = new TreeMap<>();
        long bytes = 0;
        for (FileResult r : results) {
            long[] s = perSlot.computeIfAbsent(r.slotId(), x -> new long[] {0, Long.MAX_VALUE, 0});
            s[0]++;
            s[1] = Math.min(s[1], r.recordCount());
            s[2] = Math.max(s[2], r.recordCount());
            bytes += r.bytes();
        }
        perSlot.forEach((slot, s) ->
                sb.append(String.format("  slot=%-20s %5d files, %,d..%,d records each%n", slot, s[0], s[1], s[2])));
        sb.append(String.format("  %,d files, %,d bytes%n%n", results.size(), bytes));
        Map<Integer, Long> perKey = new TreeMap<>();
        for (FileResult r : results) {
            for (int i = 0; i < r.keyIds().length; i++) {
                perKey.merge(r.keyIds()[i], r.keyAmountsFen()[i], Long::sum);
            }
        }
        long maxKey = perKey.values().stream().mapToLong(Long::longValue).max().orElse(0);
        sb.append("keys\n");
        sb.append(String.format(
                "  %d ticket keys used (ids %s), cap %,d fen per key, largest sealed by one key %,d fen%n",
                perKey.size(),
                perKey.isEmpty()
                        ? "none"
                        : ((TreeMap<Integer, Long>) perKey).firstKey() + ".."
                                + ((TreeMap<Integer, Long>) perKey).lastKey(),
                keyCapFen,
                maxKey));
        return sb.toString();
    }

    private static void table(
            StringBuilder sb,
            String title,
            List<BatchConfig> batches,
            Function<BatchConfig, String> key,
            Map<Integer, long[]> perBatch) {
        sb.append(title).append('\n');
        Map<String, long[]> rows = new TreeMap<>(Comparator.naturalOrder());
        for (BatchConfig b : batches) {
            long[] t = perBatch.getOrDefault(b.getBatchId(), new long[2]);
            long[] row = rows.computeIfAbsent(key.apply(b), k -> new long[3]);
            row[0] += t[0];
            row[1] += t[1];
            row[2]++;
        }
        rows.forEach((k, r) ->
                sb.append(String.format("  %-40s %,15d envelopes %,18d fen %5d batches%n", k, r[0], r[1], r[2])));
        sb.append('\n');
    }
}
