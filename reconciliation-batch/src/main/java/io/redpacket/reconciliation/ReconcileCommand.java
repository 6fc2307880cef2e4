package io.redpacket.reconciliation;

import io.redpacket.cli.CommandLines;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.KeyStorePassword;
import io.redpacket.reconciliation.scan.KeyRingSource;
import io.redpacket.reconciliation.spark.Reconciliation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reconcile}: every check of one campaign variant against the settlement logs, as Parquet tables.
 * Exit 0 when the run completed (the summary says which checks failed), 2 on bad or missing input, 1 otherwise.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
        description = {"Reconcile a campaign variant to the fen: budget, script, envelope files (every record decrypted),",
                "settlement logs. Writes one Parquet table per check into the warehouse directory, replacing a previous run",
                "atomically; prints the summary. Key store password: --password-file or " + KeyStorePassword.ENV + "."})
final class ReconcileCommand implements Callable<Integer> {
    @Option(names = "--generation", required = true, description = "Generation output of one variant (budget.avro, plan.avro, batches.avro, manifests.avro, envelopes/, keys/open-ring.p12).")
    Path generation;

    @Option(names = "--settlement", required = true, description = "Settlement output directory (opens/, rejects/, credits/ Parquet logs).")
    Path settlement;

    @Option(names = "--warehouse", required = true, description = "Directory of the result tables (replaced atomically).")
    Path warehouse;

    @Option(names = "--password-file", description = "File whose first line is the open ring's password; must be readable on every executor.")
    Path passwordFile;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        PrintStream err = System.err;
        CampaignInputs inputs = CampaignInputs.load(generation.toAbsolutePath(), settlement.toAbsolutePath());
        KeyRingSource keys = new KeyRingSource(inputs.openRing().toString(),
                passwordFile == null ? null : passwordFile.toAbsolutePath().toString());
        checkKeyRing(inputs);
        err.printf("reconcile: campaign %s variant %s: %d batches, %d manifests, %d envelope files%n", inputs.campaignId(),
                inputs.variant(), inputs.batches().size(), inputs.manifests().size(), inputs.envelopeFiles().size());
        SparkSession spark = Sessions.create("redpacket-reconcile " + inputs.campaignId() + "/" + inputs.variant());
        List<Reconciliation.SummaryLine> summary = Reconciliation.run(spark, inputs, keys, warehouse,
                step -> err.printf("reconcile [%6.1f s] %s%n", (System.nanoTime() - start) / 1e9, step));
        printSummary(System.out, summary);
        long failed = summary.stream().filter(s -> s.status().equals("FAIL")).count();
        System.out.printf("%s: %d of %d checks failed; tables in %s (%.1f s)%n", failed == 0 ? "RECONCILED" : "DISCREPANCIES",
                failed, summary.size(), warehouse.toAbsolutePath(), (System.nanoTime() - start) / 1e9);
        return CommandLines.OK;
    }

    /** Fails fast, naming the key store, on a wrong password, before any task needs the ring. */
    private void checkKeyRing(CampaignInputs inputs) throws IOException {
        char[] password = KeyStorePassword.resolve(passwordFile, System.getenv());
        try {
            KeyRingStore.load(inputs.openRing(), password);
        } catch (IOException e) {
            throw new CommandLines.InputFileException(e.getMessage(), e);
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
    }

    static void printSummary(PrintStream out, List<Reconciliation.SummaryLine> summary) {
        out.printf("%-48s %-6s %10s %16s  %s%n", "check", "status", "problems", "amount_fen", "detail");
        for (Reconciliation.SummaryLine s : summary) {
            out.printf("%-48s %-6s %10d %16d  %s%n", s.check(), s.status(), s.problems(), s.amountFen(), s.detail());
        }
    }
}
