package io.redpacket.reconciliation;

import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.cli.CommandLog;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.KeyStorePassword;
import io.redpacket.reconciliation.spark.KeyRingSource;
import io.redpacket.reconciliation.spark.Reconciliation;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reconcile}: every check of one campaign variant against the settlement logs, as Parquet tables.
 * Exit 0 when the run completed (the summary says which checks failed), 2 on bad or missing input, 1 otherwise.
 * Inputs are read and checked before Spark starts, so bad input costs no session.
 */
@Command(
        name = "reconcile",
        mixinStandardHelpOptions = true,
        description = {
            "Reconcile a campaign variant to the fen: budget, script, envelope files (every record decrypted),",
            "settlement logs. Writes one Parquet table per check into the warehouse, replacing a previous run",
            "as a whole; prints the summary. Locations: local paths, file://, hdfs://, s3a:// (the cluster's",
            "Hadoop configuration applies). Key store password: --password-file or " + KeyStorePassword.ENV + "."
        })
final class ReconcileCommand implements Callable<Integer> {
    @Option(
            names = "--generation",
            required = true,
            converter = Locations.Converter.class,
            description =
                    "Committed generation output of one variant (_COMMITTED, budget.avro, plan.avro, batches.avro, manifests.avro, envelopes/, keys/open-ring.p12).")
    URI generation;

    @Option(
            names = "--settlement",
            required = true,
            converter = Locations.Converter.class,
            description = "Settlement output directory (opens/, rejects/, credits/ Parquet logs).")
    URI settlement;

    @Option(
            names = "--warehouse",
            required = true,
            converter = Locations.Converter.class,
            description =
                    "Where the result tables are published (replaced as a whole; on S3 through a version pointer).")
    URI warehouse;

    @Option(
            names = "--password-file",
            converter = Locations.Converter.class,
            description = "File whose first line is the open ring's password, on a file system every executor reads"
                    + " (e.g. hdfs://, mode 600): executors load the ring themselves.")
    URI passwordFile;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        PrintStream err = CommandLog.console();
        SparkConf conf = Sessions.conf("redpacket-reconcile", Sessions.onTerminal());
        HadoopFileStore store = Sessions.fileStore(conf);
        requireSupported(store);
        CampaignInputs inputs = CampaignInputs.load(store, generation, settlement);
        KeyRing ring = loadRing(store, inputs);
        if (passwordFile == null) {
            KeyRingSource.requireProtectedTransport(conf);
        }
        err.printf(
                "reconcile: campaign %s variant %s: %d batches, %d manifests, %d envelope files%n",
                inputs.campaignId(),
                inputs.variantName(),
                inputs.batches().size(),
                inputs.manifests().size(),
                inputs.envelopeFiles().size());
        SparkSession spark = Sessions.start(
                conf.setAppName("redpacket-reconcile " + inputs.campaignId() + "/" + inputs.variantName()));
        KeyRingSource keys = KeyRingSource.forRun(spark, inputs.openRing(), passwordFile, ring);
        List<Reconciliation.SummaryLine> summary = Reconciliation.run(
                spark,
                new HadoopFileStore(spark.sparkContext().hadoopConfiguration()),
                inputs,
                keys,
                warehouse,
                step -> err.printf("reconcile [%6.1f s] %s%n", (System.nanoTime() - start) / 1e9, step));
        printSummary(System.out, summary);
        long failed = summary.stream().filter(s -> s.status().equals("FAIL")).count();
        System.out.printf(
                "%s: %d of %d checks failed; tables in %s (%.1f s)%n",
                failed == 0 ? "RECONCILED" : "DISCREPANCIES",
                failed,
                summary.size(),
                Locations.display(warehouse),
                (System.nanoTime() - start) / 1e9);
        return CommandLines.OK;
    }

    /** An unknown scheme is a usage error naming the option, never a relative path or a failed task later. */
    private void requireSupported(HadoopFileStore store) throws BadInputException {
        String[] names = {"--generation", "--settlement", "--warehouse", "--password-file"};
        URI[] values = {generation, settlement, warehouse, passwordFile};
        for (int i = 0; i < names.length; i++) {
            if (values[i] != null) {
                try {
                    store.requireSupported(values[i]);
                } catch (IllegalArgumentException e) {
                    throw new BadInputException(names[i] + ": " + e.getMessage());
                }
            }
        }
    }

    /** The driver loads the ring first, so a wrong password fails fast, naming the key store, before any task needs it. */
    private KeyRing loadRing(HadoopFileStore store, CampaignInputs inputs) throws IOException {
        char[] password;
        try {
            password = KeyStorePassword.resolve(store, passwordFile, System.getenv());
        } catch (IOException e) {
            throw new CommandLines.InputFileException(e.getMessage(), e);
        }
        try {
            return KeyRingStore.load(store, inputs.openRing(), password);
        } catch (IOException e) {
            throw new CommandLines.InputFileException(e.getMessage(), e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    static void printSummary(PrintStream out, List<Reconciliation.SummaryLine> summary) {
        out.printf("%-48s %-6s %10s %16s  %s%n", "check", "status", "problems", "amount_fen", "detail");
        for (Reconciliation.SummaryLine s : summary) {
            out.printf("%-48s %-6s %10d %16d  %s%n", s.check(), s.status(), s.problems(), s.amountFen(), s.detail());
        }
    }
}
