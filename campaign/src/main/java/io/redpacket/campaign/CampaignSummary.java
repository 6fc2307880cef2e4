package io.redpacket.campaign;

import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.CreditDiscrepancyTotal;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.MoneyEquation;
import io.redpacket.avro.ReconciliationSummary;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.money.ReconciliationVerdict;
import io.redpacket.simulation.truth.CrowdTruth;
import io.redpacket.simulation.truth.InsiderTruth;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The finance summary of a run and its verdict: the money equation to the fen (from reconciliation, which
 * decrypted every envelope), and no forged, tampered or replayed envelope credited (from the credits topic,
 * read committed, against the crowd's and the insider's ground truth).
 */
record CampaignSummary(List<String> lines, List<String> failures) {

    /** How a line saying the settlement job failed while the campaign ran starts. */
    static final String SETTLEMENT_FAILED = "SETTLEMENT FAILED";

    /**
     * Adds the fault drill's, the operators' and settlement's lines; a line starting FAILOVER MISSING, SWITCH FAILED or
     * SETTLEMENT FAILED is a failure.
     */
    CampaignSummary with(List<String> drillLines) {
        List<String> l = new ArrayList<>(lines);
        List<String> f = new ArrayList<>(failures);
        l.addAll(drillLines);
        drillLines.stream()
                .filter(x -> x.startsWith("FAILOVER MISSING")
                        || x.startsWith("SWITCH FAILED")
                        || x.startsWith(SETTLEMENT_FAILED))
                .forEach(f::add);
        return new CampaignSummary(l, f);
    }

    boolean passed() {
        return failures.isEmpty();
    }

    static CampaignSummary build(
            CampaignSettings s,
            Path variantDir,
            ReconciliationSummary reconciled,
            TopicTally.Snapshot t,
            Path crowdTruth,
            InsiderTruth insider,
            TopicTally tally)
            throws IOException {
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        long budget = AvroFiles.readAll(variantDir.resolve(CampaignLayout.BUDGET), BudgetLine.class).stream()
                .mapToLong(BudgetLine::getFundedFen)
                .sum();
        List<FileManifest> manifests =
                AvroFiles.readAll(variantDir.resolve(CampaignLayout.MANIFESTS), FileManifest.class);
        long generated =
                manifests.stream().mapToLong(FileManifest::getRecordCount).sum();
        long generatedFen =
                manifests.stream().mapToLong(FileManifest::getAmountFen).sum();

        lines.add(String.format("%-34s %s", "budget", Progress.yuan(budget)));
        lines.add(String.format(
                "%-34s %,d envelopes, %s", "generated and sealed", generated, Progress.yuan(generatedFen)));
        lines.add(String.format(
                "%-34s %,d envelopes (edges' counters)",
                "dispensed", t.edgeCounters().getOrDefault("dispensed", 0L)));
        lines.add(String.format(
                "%-34s %,d open events (incl. %,d from the insider)", "opened", t.opens(), insider.events()));
        lines.add(String.format(
                "%-34s %,d envelopes, %s", "credited (read_committed)", t.credits(), Progress.yuan(t.creditedFen())));
        lines.add(String.format("%-34s %,d", "rejected", t.rejected()));
        t.rejectsByReason().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> lines.add(String.format("  %-32s %,d", e.getKey(), e.getValue())));
        if (t.heldOpens() > 0) {
            lines.add(String.format(
                    "%-34s %,d opens, %s (no review decided them: pending below)",
                    "held for review (--hold-flagged)", t.heldOpens(), Progress.yuan(t.heldFen())));
        }

        reconciliation(reconciled, lines, failures);

        if (t.duplicateCredits() > 0) {
            failures.add(t.duplicateCredits() + " envelopes credited twice on the credits topic");
        }
        {
            Set<String> insiderEvents =
                    insider.rows().stream().map(InsiderTruth.Row::eventId).collect(Collectors.toSet());
            List<CreditInstruction> paidFraud = tally.creditsForEvents(insiderEvents);
            lines.add(String.format("%-34s %d of %d", "insider events credited", paidFraud.size(), insider.events()));
            if (!paidFraud.isEmpty()) {
                failures.add(
                        paidFraud.size() + " forged, tampered, replayed or blacklisted-key opens were credited, e.g. "
                                + paidFraud.get(0));
            }
            Map<String, Long> kinds = insider.rows().stream()
                    .collect(Collectors.groupingBy(
                            InsiderTruth.Row::kind, java.util.TreeMap::new, Collectors.counting()));
            kinds.forEach((k, n) -> lines.add(String.format("  insider %-24s %d sent, all must be rejected", k, n)));
            CrowdTruth crowd = CrowdTruth.read(crowdTruth);
            long replayPaid = crowd.replayedEnvelopes().stream()
                    .filter(id -> {
                        CreditInstruction c = tally.creditOf(id);
                        return c != null && !crowd.winnerOf(id).equals(c.getUserId());
                    })
                    .count();
            lines.add(String.format(
                    "%-34s %d accounts, %d fraudulent; replayed envelopes paid to a non-winner: %d",
                    "crowd", crowd.users(), crowd.fraudsters(), replayPaid));
            if (replayPaid > 0) {
                failures.add(replayPaid + " replayed envelopes were credited to an account that did not win them");
            }
        }
        lines.add(
                "outputs: " + s.workDir()
                        + (s.cluster()
                                ? " (generation/ and deploy/: copies from HDFS, crowd/ and insider.avro ground truth, logs/; settlement logs and warehouse on HDFS)"
                                : " (generation/, settlement/ Parquet logs, warehouse/ tables, crowd/ and insider.avro ground truth, logs/)"));
        return new CampaignSummary(lines, failures);
    }

    /**
     * Reconciliation's figures and its verdict ({@link ReconciliationVerdict}), from the typed summary it published with
     * the warehouse: the money equation to the fen, every credit discrepancy type, the campaign's own checks.
     */
    static void reconciliation(ReconciliationSummary r, List<String> lines, List<String> failures) {
        MoneyEquation e = r.getMoneyEquation();
        lines.add(String.format("%-34s %s", "refunded (never opened, rejected)", Progress.yuan(e.getRefundFen())));
        lines.add(String.format("%-34s %s", "pending (accepted, not yet credited)", Progress.yuan(e.getPendingFen())));
        lines.add(String.format(
                "%-34s %s",
                "credited + refunds + pending",
                Progress.yuan(e.getCreditedFen() + e.getRefundFen() + e.getPendingFen())));
        lines.add(String.format(
                "%-34s %s",
                "money equation",
                ReconciliationVerdict.equationHolds(e)
                        ? "HOLDS to the fen"
                        : "BROKEN by " + Progress.yuan(e.getDifferenceFen())));
        lines.add("discrepancies by type:");
        for (CreditDiscrepancyTotal d : r.getDiscrepancies()) {
            lines.add(String.format(
                    "  %-32s %d envelopes, %d fen excess (%s)",
                    d.getType(), d.getEnvelopes(), d.getExcessFen(), d.getStatus()));
        }
        failures.addAll(ReconciliationVerdict.failures(r));
    }
}
