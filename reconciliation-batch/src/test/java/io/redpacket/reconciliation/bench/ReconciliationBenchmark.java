package io.redpacket.reconciliation.bench;

import io.redpacket.io.CampaignLayout;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.Locations;
import io.redpacket.reconciliation.CampaignInputs;
import io.redpacket.reconciliation.spark.KeyRingSource;
import io.redpacket.reconciliation.spark.Reconciliation;
import io.redpacket.reconciliation.spark.TaskFiles;
import io.redpacket.testkit.GeneratedCampaign;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * The reconciliation benchmark (a documented command, not a test; see README "Benchmark"):
 * <ol>
 *   <li>Spark reconciles the large campaign (default 1e8 envelopes vs 1e7 credits) on local[cores];</li>
 *   <li>Spark reconciles the equal-scale campaign (default 1e7 vs 1e6);</li>
 *   <li>PostgreSQL runs the same checks on the equal-scale campaign (COPY load + SQL);</li>
 * </ol>
 * and prints time, rows/s, peak heap and the Spark/PostgreSQL ratio. Data sets are generated once under --data
 * and reused (generation time is printed, not counted).
 *
 * <p>Arguments: {@code --data DIR [--envelopes N] [--pg-envelopes N] [--cores N] [--skip-large] [--skip-pg] [--generate-only]}.
 */
public final class ReconciliationBenchmark {
    public static void main(String[] args) throws Exception {
        Path data = null;
        long large = 100_000_000L;
        long small = 10_000_000L;
        int cores = 2;
        boolean skipLarge = false;
        boolean skipPg = false;
        boolean generateOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--envelopes" -> large = (long) Double.parseDouble(args[++i]);
                case "--pg-envelopes" -> small = (long) Double.parseDouble(args[++i]);
                case "--cores" -> cores = Integer.parseInt(args[++i]);
                case "--skip-large" -> skipLarge = true;
                case "--skip-pg" -> skipPg = true;
                case "--generate-only" -> generateOnly = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (data == null) {
            throw new IllegalArgumentException("--data DIR is required");
        }
        SparkSession spark = SparkSession.builder()
                .master("local[" + cores + "]")
                .appName("reconciliation-benchmark")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", String.valueOf(4 * cores))
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        System.out.printf(
                "machine: %d cores visible, Spark local[%d], max heap %d MiB%n",
                Runtime.getRuntime().availableProcessors(),
                cores,
                Runtime.getRuntime().maxMemory() >> 20);

        if (generateOnly) {
            prepare(spark, data, large);
            spark.stop();
            return;
        }
        Result bigRun = null;
        if (!skipLarge) {
            Path big = prepare(spark, data, large);
            bigRun = reconcile(spark, big, large);
            print("spark  " + label(large), bigRun, large);
        }
        Path eq = prepare(spark, data, small);
        Result sparkSmall = reconcile(spark, eq, small);
        print("spark  " + label(small), sparkSmall, small);
        if (!skipPg) {
            Path csv = eq.resolve("csv");
            if (!Files.exists(csv.resolve("DONE"))) {
                long t = System.nanoTime();
                PostgresBaseline.export(
                        spark, CampaignLayout.variantDir(eq.resolve("gen"), "A"), eq.resolve("settle"), csv);
                Files.writeString(csv.resolve("DONE"), "");
                System.out.printf(
                        "exported %s to CSV for COPY in %.1f s (not counted)%n",
                        label(small), (System.nanoTime() - t) / 1e9);
            }
            PostgresBaseline.Timing pg =
                    new PostgresBaseline(Path.of(System.getProperty("redpacket.module", "."))).run(csv, 55_432);
            double pgTotal = pg.loadSeconds() + pg.checkSeconds();
            System.out.printf(
                    "postgres %s: %.1f s (COPY load %.1f s + checks %.1f s), %.0f envelopes/s%n",
                    label(small), pgTotal, pg.loadSeconds(), pg.checkSeconds(), small / pgTotal);
            System.out.print(pg.output());
            System.out.printf(
                    "RATIO at %s: PostgreSQL %.1f s / Spark %.1f s = %.2fx (Spark faster when > 1)%n",
                    label(small), pgTotal, sparkSmall.seconds(), pgTotal / sparkSmall.seconds());
        }
        if (bigRun != null) {
            System.out.printf(
                    "FLOOR %s in <= 300 s on %d cores: %s (%.1f s)%n",
                    label(large), cores, bigRun.seconds() <= 300 ? "MET" : "MISSED", bigRun.seconds());
        }
        spark.stop();
    }

    record Result(
            double seconds, long peakHeapBytes, long poolPeakSumBytes, List<Reconciliation.SummaryLine> summary) {}

    static String label(long envelopes) {
        return String.format("%.0e envelopes vs %.0e credits", (double) envelopes, envelopes / 10.0);
    }

    private static Path prepare(SparkSession spark, Path data, long envelopes) throws Exception {
        Path dir = data.resolve("campaign-" + envelopes);
        if (Files.exists(dir.resolve("DONE"))) {
            return dir;
        }
        long t = System.nanoTime();
        Path gen = CampaignLayout.variantDir(dir.resolve("gen"), "A");
        GeneratedCampaign campaign = BenchLogs.generate(gen, envelopes);
        double genSeconds = (System.nanoTime() - t) / 1e9;
        t = System.nanoTime();
        BenchLogs.writeLogs(spark, campaign, dir.resolve("truth"), dir.resolve("settle"));
        System.out.printf(
                "generated %s with the real generator: %.1f s (%.0f records/s), truth read back and logs %.1f s (not counted)%n",
                label(envelopes), genSeconds, envelopes / genSeconds, (System.nanoTime() - t) / 1e9);
        Files.writeString(dir.resolve("DONE"), "");
        return dir;
    }

    private static Result reconcile(SparkSession spark, Path dir, long envelopes) throws Exception {
        Path gen = CampaignLayout.variantDir(dir.resolve("gen"), "A");
        Path pw = Files.writeString(dir.resolve("password"), BenchLogs.PASSWORD);
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        // Sampled used heap: the pool peaks below are reached at different moments, so their sum overstates.
        java.util.concurrent.atomic.AtomicLong sampled = new java.util.concurrent.atomic.AtomicLong();
        java.lang.management.MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Thread sampler = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        sampled.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        long t0 = System.nanoTime();
        HadoopFileStore store = new HadoopFileStore(spark.sparkContext().hadoopConfiguration());
        List<Reconciliation.SummaryLine> summary = Reconciliation.run(
                spark,
                store,
                CampaignInputs.load(store, uri(gen), uri(dir.resolve("settle"))),
                new KeyRingSource.FromStore(
                        uri(CampaignLayout.openRing(gen)).toString(), uri(pw).toString(), TaskFiles.of(spark)),
                uri(dir.resolve("warehouse")),
                s -> System.out.printf("  [%6.1f s] %s%n", (System.nanoTime() - t0) / 1e9, s));
        double seconds = (System.nanoTime() - t0) / 1e9;
        sampler.interrupt();
        long poolPeaks =
                heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return new Result(seconds, sampled.get(), poolPeaks, summary);
    }

    private static java.net.URI uri(Path p) {
        return Locations.canonical(p.toAbsolutePath().toUri());
    }

    private static void print(String what, Result r, long envelopes) {
        for (Reconciliation.SummaryLine s : r.summary()) {
            System.out.printf("  %-48s %-5s %10d %16d%n", s.check(), s.status(), s.problems(), s.amountFen());
        }
        System.out.printf(
                "%s: %.1f s, %.0f envelopes/s (+%.0f credits/s), peak heap used %d MiB (sampled every 20 ms; sum of pool peaks %d MiB)%n",
                what,
                r.seconds(),
                envelopes / r.seconds(),
                envelopes / 10.0 / r.seconds(),
                r.peakHeapBytes() >> 20,
                r.poolPeakSumBytes() >> 20);
    }
}
