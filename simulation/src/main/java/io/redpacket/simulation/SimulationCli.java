package io.redpacket.simulation;

import io.redpacket.cli.CommandLines;
import io.redpacket.simulation.crowd.CrowdCommand;
import io.redpacket.simulation.identity.IdentityCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code bin/redpacket crowd|identity ...}: the crowd simulator and the local identity service. */
@Command(
        name = "redpacket",
        mixinStandardHelpOptions = true,
        subcommands = {CrowdCommand.class, IdentityCommand.class},
        description = "Crowd simulator (honest users and fraudsters) and local identity service.")
public final class SimulationCli implements Callable<Integer> {
    public static void main(String[] args) {
        System.exit(CommandLines.execute(new SimulationCli(), args));
    }

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }
}
