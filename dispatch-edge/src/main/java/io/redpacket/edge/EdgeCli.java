package io.redpacket.edge;

import io.redpacket.cli.CommandLines;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code bin/redpacket edge ...}: the dispatch edge. */
@Command(
        name = "redpacket",
        mixinStandardHelpOptions = true,
        subcommands = {EdgeCommand.class},
        description = "Dispatch edge (shake and open).")
public final class EdgeCli implements Callable<Integer> {
    public static void main(String[] args) {
        System.exit(CommandLines.execute(new EdgeCli(), args));
    }

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }
}
