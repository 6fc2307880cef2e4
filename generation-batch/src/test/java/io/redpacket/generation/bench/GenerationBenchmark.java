package io.redpacket.generation.bench;

import io.redpacket.cli.CommandLines;
import io.redpacket.generation.Generation;
import io.redpacket.generation.plan.VariantPlan;
import io.redpacket.generation.plan.VariantPlanner;
import io.redpacket.generation.sample.SampleCampaign;
import io.redpacket.generation.spark.SparkFileRunner;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyAllotment;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.SealingKeys;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Benchmark (not a test): generates {@code --envelopes} envelopes end to end with the real job on a local Spark
 * master, then runs the {@link NaiveBaseline} on the same campaign scaled to {@code --baseline-envelopes}, and
 * prints envelopes/s, bytes, peak heap and the ratio per envelope. See generation-batch/README.md for the command.
 */
@Command(
        name = "generation-benchmark",
        mixinStandardHelpOptions = true,
        description = "Benchmark envelope generation against a naive Spark job.")
public final class GenerationBenchmark implements Callable<Integer> {
    @Option(names = "--envelopes", defaultValue = "100000000")
    long envelopes;

    @Option(names = "--baseline-envelopes", defaultValue = "5000000", description = "0 skips the baseline.")
    long baselineEnvelopes;

    @Option(names = "--shards", defaultValue = "64")
    int shards;

    @Option(names = "--sponsors", defaultValue = "300")
    int sponsors;

    @Option(names = "--slots", defaultValue = "6")
    int slots;

    @Option(
            names = "--work",
            required = true,
            description = "Scratch directory (must not exist); deleted at the end unless --keep.")
    Path work;

    @Option(names = "--keep", description = "Keep the generated output.")
    boolean keep;

    @Option(names = "--master", defaultValue = "local[*]")
    String master;

    public static void main(String[] args) {
        System.exit(CommandLines.execute(new GenerationBenchmark(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream log = System.out;
        Files.createDirectories(work);
        HeapSampler heap = new HeapSampler();
        heap.start();
        SparkSession spark = SparkSession.builder()
                .appName("generation-benchmark")
                .master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "16")
                .getOrCreate();
        try {
            int cores = spark.sparkContext().defaultParallelism();
            log.printf(
                    "benchmark: %,d envelopes, %d sponsors, %d slots x %d shards, %s (%d cores), max heap %,d MB%n",
                    envelopes,
                    sponsors,
                    slots,
                    shards,
                    master,
                    cores,
                    Runtime.getRuntime().maxMemory() >> 20);
            ComponentCosts.print(work, log);
            Path budget = work.resolve("budget.csv");
            Path script = work.resolve("script.yaml");
            SampleCampaign.write(budget, script, sponsors, slots, envelopes, 2027);
            char[] password = "bench".toCharArray();
            Set<String> main = Set.of("main");
            HadoopFileStore store = new HadoopFileStore(spark.sparkContext().hadoopConfiguration());
            VariantPlan plan = Generation.plan(
                            store,
                            uri(budget),
                            uri(script),
                            shards,
                            1,
                            KeyAllotment.DEFAULT_CAP_FEN,
                            1,
                            VariantPlanner.DEFAULT_BLOCK_SIZE,
                            main)
                    .plans()
                    .get(0);
            Path ring = work.resolve("ring.p12");
            // A benchmark ring: few PBKDF2 iterations, so loading it is not what is measured.
            KeyRingStore.save(KeyRing.generate(plan.nextKeyId() - 1, new SecureRandom()), ring, password, 1);

            Path out = work.resolve("out");
            heap.reset();
            long t0 = System.nanoTime();
            Generation.run(
                    new Generation.Options(
                            uri(budget),
                            uri(script),
                            uri(ring),
                            password,
                            uri(out),
                            shards,
                            1,
                            KeyAllotment.DEFAULT_CAP_FEN,
                            1,
                            VariantPlanner.DEFAULT_BLOCK_SIZE,
                            main),
                    store,
                    new SparkFileRunner(spark, 0),
                    log);
            double secs = (System.nanoTime() - t0) / 1e9;
            long n = plan.envelopeCount();
            long bytes = size(out);
            long peak = heap.peak();
            double rate = n / secs;
            log.printf("%nload average during the run (other processes share these cores): %s%n", loadAverage());
            log.printf(
                    "RESULT ours: %,d envelopes in %.1f s end to end = %,.0f envelopes/s (%,.0f per core); %,d bytes written (%.0f MB/s); peak heap %,d MB%n",
                    n, secs, rate, rate / cores, bytes, bytes / secs / 1e6, peak >> 20);
            if (!keep) {
                deleteTree(out);
            }
            if (baselineEnvelopes > 0) {
                Path bBudget = work.resolve("baseline-budget.csv");
                Path bScript = work.resolve("baseline-script.yaml");
                SampleCampaign.write(bBudget, bScript, sponsors, slots, baselineEnvelopes, 2027);
                VariantPlan bPlan = Generation.plan(
                                store,
                                uri(bBudget),
                                uri(bScript),
                                shards,
                                1,
                                KeyAllotment.DEFAULT_CAP_FEN,
                                1,
                                VariantPlanner.DEFAULT_BLOCK_SIZE,
                                main)
                        .plans()
                        .get(0);
                KeyRing bRing = KeyRing.generate(Math.max(1, bPlan.nextKeyId() - 1), new SecureRandom());
                heap.reset();
                long b0 = System.nanoTime();
                long bn = NaiveBaseline.run(
                        spark,
                        bPlan.batches(),
                        SealingKeys.of(bRing, id -> true),
                        bRing.size(),
                        work.resolve("baseline").toString(),
                        1);
                double bSecs = (System.nanoTime() - b0) / 1e9;
                long bBytes = size(work.resolve("baseline"));
                double bRate = bn / bSecs;
                log.printf(
                        "RESULT naive baseline: %,d envelopes in %.1f s = %,.0f envelopes/s; %,d bytes; peak heap %,d MB%n",
                        bn, bSecs, bRate, bBytes, heap.peak() >> 20);
                log.printf("load average: %s%n", loadAverage());
                log.printf("RESULT ratio per envelope: %.1fx faster than the naive baseline%n", rate / bRate);
                if (!keep) {
                    deleteTree(work.resolve("baseline"));
                }
            }
        } finally {
            spark.stop();
            heap.interrupt();
        }
        return CommandLines.OK;
    }

    private static java.net.URI uri(Path p) {
        return Locations.parse(p.toString());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    /** Samples used heap every 20 ms: the peak the run actually reached (after-GC floors would understate it). */
    private static final class HeapSampler extends Thread {
        private final AtomicLong peak = new AtomicLong();

        HeapSampler() {
            setDaemon(true);
        }

        @Override
        public void run() {
            Runtime rt = Runtime.getRuntime();
            while (!isInterrupted()) {
                peak.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void reset() {
            System.gc();
            peak.set(0);
        }

        long peak() {
            return peak.get();
        }
    }
}
