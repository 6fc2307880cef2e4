package io.redpacket.edge;

import io.redpacket.cli.CommandLines;
import io.redpacket.io.AtomicFiles;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dispatch-edge/bench/shake-cost.sh}: runs {@link ShakeCostBenchmark} under JMH (a forked JVM per case, warm-up
 * and measured iterations, the gc profiler) and prints one line per case: time and bytes allocated per request. JMH's
 * own results go to {@code <dir>/jmh-result.json}. A command, not a test (see dispatch-edge/README.md, Benchmark).
 */
@Command(
        name = "shake-cost",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "What one shake costs by stage, in-process, one thread (JMH): time and bytes allocated per request.")
public final class ShakeCost implements Callable<Integer> {
    /** The cases, by benchmark method, with the line each prints. */
    enum Case {
        sessionVerified("session check, fully verified (new credential)"),
        sessionRemembered("session check, remembered (50,000 active users)"),
        serviceNewUser("EdgeService.shake, new user each time (wins)"),
        httpNewUser("HTTP edge shake, new user each time (wins)"),
        httpPool("HTTP edge shake, pool of %,d users, 1/s each"),
        httpBare("HTTP bare fixed body (framework share)");

        final String label;

        Case(String label) {
            this.label = label;
        }
    }

    static final String ALLOCATED = "gc.alloc.rate.norm";

    @Spec
    CommandSpec spec;

    @Option(
            names = "--requests",
            defaultValue = "100000",
            description = "Requests per iteration, warm-up and measured (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(
            names = "--pool",
            defaultValue = "20000",
            description = "Users of the httpPool case, each shaking once a second (default ${DEFAULT-VALUE}).")
    int pool;

    @Option(names = "--warmups", defaultValue = "5", description = "Warm-up iterations (default ${DEFAULT-VALUE}).")
    int warmups;

    @Option(names = "--iterations", defaultValue = "5", description = "Measured iterations (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--forks", defaultValue = "1", description = "JMH forks per case (default ${DEFAULT-VALUE}).")
    int forks;

    @Option(
            names = "--cases",
            split = ",",
            paramLabel = "CASE",
            description = "Cases to run, comma-separated (default all): ${COMPLETION-CANDIDATES}.")
    List<Case> cases = List.of(Case.values());

    @Option(
            names = "--profiler",
            paramLabel = "NAME",
            description = "Another JMH profiler, e.g. jfr or stack (repeatable; gc always runs).")
    List<String> profilers = new ArrayList<>();

    @Option(
            names = "--dir",
            defaultValue = "target/shake-cost",
            description = "Work folder: campaigns while a case runs, jmh-result.json (default ${DEFAULT-VALUE}).")
    Path dir;

    public static void main(String[] args) {
        System.exit(CommandLines.create(new ShakeCost())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        atLeast("--requests", requests, 1);
        atLeast("--pool", pool, 1);
        atLeast("--warmups", warmups, 0);
        atLeast("--iterations", iterations, 1);
        atLeast("--forks", forks, 1);
        Path work = Files.createDirectories(dir.toAbsolutePath());
        Path resultFile = work.resolve("jmh-result.json");
        // The test kit keeps small campaigns' templates in the temporary folder: the run's own, deleted at the end.
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        String start = EdgeBenchmark.loadAverage();
        List<String> c1Only = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:TieredStopAtLevel"))
                .toList();
        if (!c1Only.isEmpty()) {
            System.out.println("WARNING: " + c1Only + ": the measured JVM inherits it and runs without the full JIT");
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(ShakeCostBenchmark.class.getName() + "\\.("
                        + cases.stream().map(Case::name).distinct().collect(Collectors.joining("|")) + ")$")
                .mode(Mode.SingleShotTime)
                .timeUnit(TimeUnit.NANOSECONDS)
                .warmupIterations(warmups)
                .warmupBatchSize(requests)
                .measurementIterations(iterations)
                .measurementBatchSize(requests)
                .operationsPerInvocation(requests)
                .forks(forks)
                .threads(1)
                .param("pool", Integer.toString(pool))
                .jvmArgsAppend("-D" + ShakeCostBenchmark.WORK_DIR_PROPERTY + "=" + work, "-Djava.io.tmpdir=" + tmp)
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .result(resultFile.toString())
                .resultFormat(ResultFormatType.JSON);
        profilers.forEach(options::addProfiler);
        Collection<RunResult> results;
        try {
            results = new Runner(options.build()).run();
        } catch (RunnerException e) {
            System.err.println("shake-cost: " + e.getMessage());
            return 1;
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
        Map<String, RunResult> byCase = results.stream()
                .collect(Collectors.toMap(r -> method(r.getParams().getBenchmark()), r -> r, (a, b) -> a));
        System.out.println();
        System.out.printf(
                "shake cost (JMH): %,d requests per iteration, %d warm-up + %d measured iterations, %d fork(s), one thread;"
                        + " time per request is wall-clock (mean, +- 99.9%% interval); load average %s at start, %s at end%n",
                requests, warmups, iterations, forks, start, EdgeBenchmark.loadAverage());
        for (Case c : Case.values()) {
            RunResult r = byCase.get(c.name());
            if (r != null) {
                System.out.println(line(c, r));
            }
        }
        System.out.println("JMH results: " + resultFile);
        return 0;
    }

    private String line(Case c, RunResult r) {
        Result<?> time = r.getPrimaryResult();
        Result<?> bytes = r.getSecondaryResults().get(ALLOCATED);
        double error = time.getScoreError();
        return String.format(
                "%-48s %7.0f ns/request +- %-6s %6s bytes allocated/request",
                String.format(c.label, pool),
                time.getScore(),
                Double.isNaN(error) ? "?" : String.format("%.0f", error),
                bytes == null ? "?" : String.format("%.0f", bytes.getScore()));
    }

    private static String method(String benchmark) {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    private void atLeast(String option, int value, int min) {
        if (value < min) {
            throw new ParameterException(spec.commandLine(), option + ": must be at least " + min + ", got " + value);
        }
    }
}
