package io.redpacket.edge;

import io.redpacket.cli.CommandLines;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code bin/redpacket edge|crowd ...}: the dispatch edge and the crowd simulator. */
@Command(name = "redpacket", mixinStandardHelpOptions = true, subcommands = {EdgeCommand.class, io.redpacket.edge.sim.CrowdCommand.class,
        io.redpacket.edge.sim.identity.IdentityCommand.class},
        description = "Dispatch edge (shake and open), crowd simulator and local identity service.")
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
