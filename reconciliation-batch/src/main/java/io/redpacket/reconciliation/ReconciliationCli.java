package io.redpacket.reconciliation;

import io.redpacket.cli.CommandLines;
import io.redpacket.cli.CommandLog;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/redpacket reconcile|sql}: reconcile a campaign variant, and query the resulting tables. The same class is
 * the main class of the job jar for {@code spark-submit}.
 */
@Command(
        name = "redpacket",
        mixinStandardHelpOptions = true,
        subcommands = {ReconcileCommand.class, SqlCommand.class},
        description = "Reconciliation to the fen with Spark SQL.")
public final class ReconciliationCli implements Callable<Integer> {
    public static void main(String[] args) {
        // Without a master (spark-submit sets one) this is a run by hand: Spark's log lines and any stack trace go to
        // the run's log file, chosen before anything logs; the console shows our lines, the results, or one line on
        // failure.
        PrintStream console = null;
        if (System.getProperty("spark.master") == null) {
            console = CommandLog.start(args.length > 0 && !args[0].startsWith("-") ? args[0] : "reconciliation");
        }
        CommandLine cl = CommandLines.createLogged(new ReconciliationCli());
        if (console != null) {
            cl.setErr(new PrintWriter(console, true));
        }
        int code = cl.execute(args);
        System.out.flush();
        System.exit(code);
    }

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }
}
