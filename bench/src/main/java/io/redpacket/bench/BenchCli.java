package io.redpacket.bench;

import io.redpacket.cli.CommandLines;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code bin/redpacket bench <name>}: benchmarks of the shared contracts. */
@Command(
        name = "redpacket",
        mixinStandardHelpOptions = true,
        subcommands = CryptoBenchmark.class,
        description = "Benchmarks of the shared contracts; each prints its figures and the same run's baseline.")
public final class BenchCli implements Callable<Integer> {
    public static void main(String[] args) {
        String[] rest =
                args.length > 0 && args[0].equals("bench") ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
        System.exit(CommandLines.execute(new BenchCli(), rest));
    }

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }
}
