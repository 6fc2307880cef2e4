package io.redpacket.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/redpacket bench crypto}: runs {@link CryptoOperations} under JMH (its own forked JVM, warm-up and
 * measurement iterations) and reports the floors and the same run's baselines as ratios.
 */
@Command(
        name = "crypto",
        mixinStandardHelpOptions = true,
        description = "Tickets sealed/s in bulk and opened/s singly, per core (JMH).")
final class CryptoBenchmark implements Callable<Integer> {
    @Option(names = "--forks", defaultValue = "1", description = "JMH forks (default ${DEFAULT-VALUE}).")
    int forks;

    @Option(names = "--warmups", defaultValue = "3", description = "Warm-up iterations (default ${DEFAULT-VALUE}).")
    int warmups;

    @Option(names = "--iterations", defaultValue = "5", description = "Measured iterations (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--seconds", defaultValue = "2", description = "Seconds per iteration (default ${DEFAULT-VALUE}).")
    int seconds;

    @Override
    public Integer call() throws Exception {
        System.out.printf(
                "crypto benchmark (JMH): %d envelopes per invocation, 1 thread; %s; %s%n",
                CryptoOperations.N,
                cpu(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        Options options = new OptionsBuilder()
                .include(CryptoOperations.class.getName() + "\\.")
                .forks(forks)
                .warmupIterations(warmups)
                .measurementIterations(iterations)
                .warmupTime(TimeValue.seconds(seconds))
                .measurementTime(TimeValue.seconds(seconds))
                .threads(1)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> score = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            score.put(
                    name.substring(name.lastIndexOf('.') + 1),
                    r.getPrimaryResult().getScore());
        }
        double bulk = score.get("sealBulkJce");
        double open = score.get("openJce");
        System.out.println();
        System.out.printf(
                "RESULT seal bulk JCE           %,14.0f tickets/s/core  (floor 10,000,000)  %s%n",
                bulk, bulk >= 10e6 ? "PASS" : "BELOW FLOOR");
        System.out.printf(
                "RESULT open single JCE         %,14.0f opens/s/core    (floor  2,000,000)  %s%n",
                open, open >= 2e6 ? "PASS" : "BELOW FLOOR");
        System.out.printf(
                "baseline seal single JCE       %,14.0f tickets/s  (bulk is %.1fx)%n",
                score.get("sealSingleJce"), bulk / score.get("sealSingleJce"));
        System.out.printf(
                "baseline seal bulk BouncyCastle%,14.0f tickets/s  (JCE is %.1fx)%n",
                score.get("sealBulkBouncyCastle"), bulk / score.get("sealBulkBouncyCastle"));
        System.out.printf(
                "baseline seal naive per-ticket %,14.0f tickets/s  (bulk is %.0fx)%n",
                score.get("sealNaive"), bulk / score.get("sealNaive"));
        System.out.printf(
                "baseline open BouncyCastle     %,14.0f opens/s    (JCE is %.1fx)%n",
                score.get("openBouncyCastle"), open / score.get("openBouncyCastle"));
        System.out.printf(
                "token verify + open            %,14.0f opens/s/core (what an edge or settlement pays per open)%n",
                score.get("tokenVerifyAndOpen"));
        return 0;
    }

    private static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                            .filter(l -> l.startsWith("model name"))
                            .findFirst()
                            .map(l -> l.substring(l.indexOf(':') + 2))
                            .orElse("unknown CPU")
                    + ", " + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
