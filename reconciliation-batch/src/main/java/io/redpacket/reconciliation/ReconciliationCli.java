package io.redpacket.reconciliation;

import io.redpacket.cli.CommandLines;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code bin/redpacket reconcile|sql}: reconcile a campaign variant, and query the resulting tables. */
@Command(name = "redpacket", mixinStandardHelpOptions = true,
        subcommands = {ReconcileCommand.class, SqlCommand.class},
        description = "Reconciliation to the fen with Spark SQL.")
public final class ReconciliationCli implements Callable<Integer> {
    public static void main(String[] args) {
        System.exit(CommandLines.execute(new ReconciliationCli(), args));
    }

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }
}
