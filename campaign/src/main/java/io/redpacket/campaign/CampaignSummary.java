package io.redpacket.campaign;

import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.RejectReason;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The finance summary of a run and its verdict: the money equation to the fen (from reconciliation, which
 * decrypted every envelope), and no forged, tampered or replayed envelope credited (from the credits topic,
 * read committed, against the crowd's and the insider's ground truth).
 */
record CampaignSummary(List<String> lines, List<String> failures) {
    private static final Pattern CHECK = Pattern.compile("^(\\S+)\\s+(OK|FAIL|WARN)\\s+(\\d+)\\s+(-?\\d+)\\s*(.*)$");
    private static final Pattern EQUATION = Pattern.compile(
            "credited (-?\\d+) \\+ refunds (-?\\d+) \\+ pending (-?\\d+) - budget (-?\\d+) = (-?\\d+) fen");

    /** Adds the fault drill's and the operators' lines; a line starting FAILOVER MISSING or SWITCH FAILED is a failure. */
    CampaignSummary with(List<String> drillLines) {
        List<String> l = new ArrayList<>(lines);
        List<String> f = new ArrayList<>(failures);
        l.addAll(drillLines);
        drillLines.stream().filter(x -> x.startsWith("FAILOVER MISSING") || x.startsWith("SWITCH FAILED")).forEach(f::add);
        return new CampaignSummary(l, f);
    }

    boolean passed() {
        return failures.isEmpty();
    }

    static CampaignSummary build(CampaignSettings s, Path variantDir, TopicTally.Snapshot t, Map<String, Long> edge,
                                 Path crowdTruth, Insider.Truth insider, Path logs, TopicTally tally) throws IOException {
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        long budget = AvroFiles.readAll(variantDir.resolve(CampaignLayout.BUDGET), BudgetLine.class).stream()
                .mapToLong(BudgetLine::getFundedFen).sum();
        List<FileManifest> manifests = AvroFiles.readAll(variantDir.resolve(CampaignLayout.MANIFESTS), FileManifest.class);
        long generated = manifests.stream().mapToLong(FileManifest::getRecordCount).sum();
        long generatedFen = manifests.stream().mapToLong(FileManifest::getAmountFen).sum();

        lines.add(String.format("%-34s %s", "budget", Progress.yuan(budget)));
        lines.add(String.format("%-34s %,d envelopes, %s", "generated and sealed", generated, Progress.yuan(generatedFen)));
        lines.add(String.format("%-34s %,d envelopes (edges' counters)", "dispensed", edge.getOrDefault("redpacket_edge_dispensed_total", 0L)));
        lines.add(String.format("%-34s %,d open events (incl. %,d from the insider)", "opened", t.opens(), insider.events()));
        lines.add(String.format("%-34s %,d envelopes, %s", "credited (read_committed)", t.credits(), Progress.yuan(t.creditedFen())));
        lines.add(String.format("%-34s %,d", "rejected", t.rejected()));
        t.rejectsByReason().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> lines.add(String.format("  %-32s %,d", e.getKey(), e.getValue())));

        // Reconciliation's verdict, as it printed it.
        Map<String, String[]> checks = new LinkedHashMap<>();
        Path recLog = logs.resolve("reconcile.log");
        for (String line : Files.readAllLines(recLog)) {
            Matcher m = CHECK.matcher(line.trim());
            if (m.matches()) {
                checks.put(m.group(1), new String[] {m.group(2), m.group(3), m.group(4), m.group(5)});
            }
        }
        if (checks.isEmpty()) {
            failures.add("reconciliation printed no summary; see " + recLog);
        }
        String[] equation = checks.get("money_equation");
        if (equation != null) {
            Matcher m = EQUATION.matcher(equation[3]);
            if (m.find()) {
                lines.add(String.format("%-34s %s", "refunded (never opened, rejected)", Progress.yuan(Long.parseLong(m.group(2)))));
                lines.add(String.format("%-34s %s", "pending (accepted, not yet credited)", Progress.yuan(Long.parseLong(m.group(3)))));
                long diff = Long.parseLong(m.group(5));
                lines.add(String.format("%-34s %s", "credited + refunds + pending", Progress.yuan(
                        Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)) + Long.parseLong(m.group(3)))));
                lines.add(String.format("%-34s %s", "money equation", diff == 0 && equation[0].equals("OK")
                        ? "HOLDS to the fen" : "BROKEN by " + Progress.yuan(diff)));
            }
            if (!equation[0].equals("OK")) {
                failures.add("money equation broken: " + equation[3]);
            }
        } else {
            failures.add("reconciliation reported no money equation");
        }
        lines.add("discrepancies by type:");
        checks.forEach((name, v) -> {
            if (name.startsWith("credit_discrepancies:")) {
                String type = name.substring("credit_discrepancies:".length());
                lines.add(String.format("  %-32s %s envelopes, %s fen excess (%s)", type, v[1], v[2], v[0]));
                if (Set.of("FORGED", "TAMPERED", "DUPLICATE_CREDIT", "CREDIT_WITHOUT_ACCEPTED_OPEN").contains(type) && !v[1].equals("0")) {
                    failures.add(type + ": " + v[1] + " credits");
                }
            }
        });
        checks.forEach((name, v) -> {
            if (v[0].equals("FAIL") && !name.startsWith("credit_discrepancies:") && !name.equals("money_equation")) {
                failures.add("reconciliation check " + name + " failed: " + v[3]);
            }
        });

        if (t.duplicateCredits() > 0) {
            failures.add(t.duplicateCredits() + " envelopes credited twice on the credits topic");
        }
        {
            Set<String> insiderEvents = insider.rows().stream().map(Insider.Truth.Row::eventId).collect(Collectors.toSet());
            List<CreditInstruction> paidFraud = tally.creditsForEvents(insiderEvents);
            lines.add(String.format("%-34s %d of %d", "insider events credited", paidFraud.size(), insider.events()));
            if (!paidFraud.isEmpty()) {
                failures.add(paidFraud.size() + " forged, tampered, replayed or blacklisted-key opens were credited, e.g. " + paidFraud.get(0));
            }
            Map<String, Long> kinds = insider.rows().stream().collect(Collectors.groupingBy(Insider.Truth.Row::kind, java.util.TreeMap::new,
                    Collectors.counting()));
            kinds.forEach((k, n) -> lines.add(String.format("  insider %-24s %d sent, all must be rejected", k, n)));
            CrowdTruth crowd = CrowdTruth.read(crowdTruth);
            long replayPaid = crowd.replayedEnvelopes().stream().filter(id -> {
                CreditInstruction c = tally.creditOf(id);
                return c != null && !crowd.winnerOf(id).equals(c.getUserId());
            }).count();
            lines.add(String.format("%-34s %d users, %d fraudsters; replayed envelopes paid to a non-winner: %d",
                    "crowd", crowd.users(), crowd.fraudsters(), replayPaid));
            if (replayPaid > 0) {
                failures.add(replayPaid + " replayed envelopes were credited to an account that did not win them");
            }
        }
        lines.add("outputs: " + s.workDir() + (s.cluster()
                ? " (generation/ and deploy/: copies from HDFS, crowd/ and insider.csv ground truth, logs/; settlement logs and warehouse on HDFS)"
                : " (generation/, settlement/ Parquet logs, warehouse/ tables, crowd/ and insider.csv ground truth, logs/)"));
        return new CampaignSummary(lines, failures);
    }
}
