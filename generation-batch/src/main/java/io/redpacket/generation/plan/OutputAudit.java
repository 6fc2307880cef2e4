package io.redpacket.generation.plan;

import io.redpacket.avro.BatchConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks what was written against the plan before the output is published: every file once, its counts as
 * planned, every batch's envelopes and money exactly once across all files, envelope id ranges disjoint, and no
 * key over its cap. A failure here is a bug, never bad input: nothing is published.
 */
public final class OutputAudit {
    private OutputAudit() {}

    public static void check(VariantPlan plan, List<FileResult> results, long keyCapFen) {
        List<String> errors = new ArrayList<>();
        Map<String, FileTask> planned = new HashMap<>();
        plan.files().forEach(t -> planned.put(t.fileName, t));
        Map<Integer, long[]> batchTotals = new HashMap<>();
        Map<Integer, Long> keyTotals = new HashMap<>();
        Map<String, Boolean> seen = new HashMap<>();
        for (FileResult r : results) {
            FileTask t = planned.get(r.fileName());
            if (t == null || seen.put(r.fileName(), true) != null) {
                errors.add(r.fileName() + ": " + (t == null ? "not planned" : "written twice"));
                continue;
            }
            if (r.recordCount() != t.recordCount() || r.amountFen() != t.amountFen()) {
                errors.add(r.fileName() + ": wrote " + r.recordCount() + " records / " + r.amountFen()
                        + " fen, planned " + t.recordCount() + " / " + t.amountFen());
            }
            for (int i = 0; i < r.batchIds().length; i++) {
                long[] tot = batchTotals.computeIfAbsent(r.batchIds()[i], b -> new long[2]);
                tot[0] += r.batchCounts()[i];
                tot[1] += r.batchAmountsFen()[i];
            }
            for (int i = 0; i < r.keyIds().length; i++) {
                if (keyTotals.merge(r.keyIds()[i], r.keyAmountsFen()[i], Long::sum) > keyCapFen) {
                    errors.add("key " + r.keyIds()[i] + ": sealed more than the cap " + keyCapFen + " fen");
                }
            }
        }
        if (seen.size() != planned.size()) {
            errors.add("wrote " + seen.size() + " files, planned " + planned.size());
        }
        long nextId = plan.firstEnvelopeId();
        for (BatchConfig b : plan.batches()) {
            long[] tot = batchTotals.getOrDefault(b.getBatchId(), new long[2]);
            if (tot[0] != b.getCount() || tot[1] != b.getTotalFen()) {
                errors.add("batch " + b.getBatchId() + ": files hold " + tot[0] + " envelopes / " + tot[1]
                        + " fen, script says " + b.getCount() + " / " + b.getTotalFen());
            }
            if (b.getFirstEnvelopeId() != nextId) {
                errors.add("batch " + b.getBatchId() + ": envelope ids start at " + b.getFirstEnvelopeId()
                        + ", expected " + nextId);
            }
            nextId = b.getFirstEnvelopeId() + b.getCount();
        }
        checkPieces(plan, errors);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("generated output does not match the plan of variant " + plan.variant()
                    + ":\n  " + String.join("\n  ", errors.subList(0, Math.min(20, errors.size()))));
        }
    }

    /** The pieces of each batch tile its id range exactly: no envelope id twice, none missing. */
    private static void checkPieces(VariantPlan plan, List<String> errors) {
        Map<Integer, List<long[]>> pieces = new HashMap<>();
        for (FileTask t : plan.files()) {
            for (int i = 0; i < t.pieces(); i++) {
                pieces.computeIfAbsent(t.batchIds[i], b -> new ArrayList<>())
                        .add(new long[] {t.firstIds[i], t.counts[i]});
            }
        }
        for (BatchConfig b : plan.batches()) {
            long[][] ps = pieces.getOrDefault(b.getBatchId(), List.of()).toArray(new long[0][]);
            Arrays.sort(ps, (x, y) -> Long.compare(x[0], y[0]));
            long next = b.getFirstEnvelopeId();
            for (long[] p : ps) {
                if (p[0] != next) {
                    errors.add("batch " + b.getBatchId() + ": envelope ids " + (p[0] < next ? "overlap" : "gap")
                            + " at " + Math.min(p[0], next));
                }
                next = Math.max(next, p[0] + p[1]);
            }
            if (next != b.getFirstEnvelopeId() + b.getCount()) {
                errors.add("batch " + b.getBatchId() + ": pieces end at id " + next + ", batch at "
                        + (b.getFirstEnvelopeId() + b.getCount()));
            }
        }
    }
}
