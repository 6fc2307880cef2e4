package io.redpacket.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Entry point of the schemas module's commands ({@code bin/redpacket keys ...}). */
@Command(
        name = "redpacket",
        mixinStandardHelpOptions = true,
        subcommands = KeysCommand.class,
        description = "Contracts shared by every stage.")
public final class SchemasCli implements Callable<Integer> {
    public static void main(String[] args) {
        System.exit(CommandLines.execute(new SchemasCli(), args));
    }

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }
}
