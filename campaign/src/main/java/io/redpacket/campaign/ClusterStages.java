package io.redpacket.campaign;

import io.redpacket.avro.FileManifest;
import io.redpacket.avro.ReconciliationSummary;
import io.redpacket.flinkcluster.CliResult;
import io.redpacket.flinkcluster.ClusterOptions;
import io.redpacket.flinkcluster.FlinkRun;
import io.redpacket.flinkcluster.LocalFlinkCluster;
import io.redpacket.hadoop.LocalHdfs;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.FileStore;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.Locations;
import io.redpacket.io.WarehouseLayout;
import io.redpacket.kafka.FreePorts;
import io.redpacket.sparkcluster.LocalSparkCluster;
import io.redpacket.sparkcluster.SparkApplication;
import io.redpacket.sparkcluster.SparkSubmission;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The stages on clusters, submitted the ordinary way ({@code campaign --cluster}): a real HDFS (NameNode + DataNode),
 * a Spark standalone cluster (master + 2 workers, authenticated and encrypted) and a Flink session cluster
 * (JobManager + 2 TaskManagers), each process its own JVM, all started here and stopped on close. Generation and
 * reconciliation are {@code spark-submit}s of their job jars, settlement a {@code flink run}; every path they get is an
 * {@code hdfs://} URI, the key store password a file on HDFS (owner-only), the Spark secret an owner-only properties
 * file: no secret on a command line. The edges dispense from local files, as deployed: each edge gets the campaign's
 * metadata and the envelope files of the shards it serves (primary and backup), copied from HDFS.
 */
final class ClusterStages implements CampaignStages {
    /** Everything of the run on HDFS lives under this directory. */
    static final String ROOT = "/campaign";

    private static final Duration SPARK_APP_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration FLINK_RUNNING_TIMEOUT = Duration.ofMinutes(10);
    private static final long START_TIMEOUT_MINUTES = 10;

    private final CampaignSettings s;
    private final Progress out;
    private final Path logs;
    private final HadoopFileStore store;
    private CompletableFuture<LocalHdfs> hdfsStart;
    private CompletableFuture<LocalSparkCluster> sparkStart;
    private CompletableFuture<LocalFlinkCluster> flinkStart;
    private URI hdfsRoot;
    private URI variant;
    private URI passwordFile;
    private final Map<Integer, Path> edgeCampaigns = new HashMap<>();
    private final List<String> outputLines = new ArrayList<>();
    private volatile boolean closed;

    ClusterStages(CampaignSettings settings, Progress progress, Path logs) {
        this.s = settings;
        this.out = progress;
        this.logs = logs;
        Configuration conf = new Configuration();
        // One DataNode: a client asking for three replicas would leave every block under-replicated.
        conf.set("dfs.replication", "1");
        this.store = new HadoopFileStore(conf);
    }

    /** The three clusters start side by side (each a few JVMs); generation waits for HDFS and Spark, settlement for Flink. */
    @Override
    public void start() throws IOException {
        for (String module : List.of("generation-batch", "settlement-stream", "reconciliation-batch")) {
            jobJar(module);
        }
        int nameNodePort = new FreePorts().next(1);
        hdfsRoot = URI.create("hdfs://127.0.0.1:" + nameNodePort);
        Path dir = s.workDir();
        // One thread each (the common pool has a single thread on 2 cores): the starts mostly wait for child JVMs.
        java.util.concurrent.Executor starter = task -> {
            Thread t = new Thread(task, "cluster-start");
            t.setDaemon(true);
            t.start();
        };
        hdfsStart = CompletableFuture.supplyAsync(
                () -> startOrFail(() -> LocalHdfs.start(dir.resolve("hdfs"), nameNodePort)), starter);
        sparkStart = CompletableFuture.supplyAsync(
                () -> startOrFail(() -> LocalSparkCluster.builder(dir.resolve("spark"))
                        .workers(2)
                        .authenticate(true)
                        .start()),
                starter);
        flinkStart = CompletableFuture.supplyAsync(
                () -> startOrFail(() -> LocalFlinkCluster.start(
                        dir.resolve("flink"),
                        ClusterOptions.defaults()
                                .taskManagers(2)
                                .restPort(s.flinkUiPort())
                                .checkpointDir(hdfs("/flink/checkpoints").toString())
                                .savepointDir(hdfs("/flink/savepoints").toString())
                                .checkpointInterval("2s")
                                .restartStrategy("none"))),
                starter);
        out.stage("clusters starting: HDFS " + hdfsRoot
                + " (NameNode + DataNode), Spark standalone (master + 2 workers, authenticated),"
                + " Flink session cluster (JobManager + 2 TaskManagers); logs in hdfs/, spark/, flink/");
    }

    @Override
    public Path generate(Inputs in) throws IOException {
        LocalHdfs hdfs = await(hdfsStart, "HDFS");
        LocalSparkCluster spark = await(sparkStart, "the Spark cluster");
        out.stage("clusters up: HDFS " + hdfs.uri() + ", Spark " + spark.masterUrl() + " (UI " + spark.masterWebUiUrl()
                + ")");
        URI budget = put(in.budget(), hdfs("/inputs/budget.csv"));
        URI script = put(in.script(), hdfs("/inputs/script.yaml"));
        URI ring = put(in.ring(), hdfs("/keys/ring.p12"));
        passwordFile = putOwnerOnly(in.passwordFile(), hdfs("/secrets/keystore-password"));
        URI genOut = hdfs("/generation");
        out.stage(
                "generation: " + in.slots() + " slots of " + s.slotSeconds() + " s, " + s.shards() + " shards, variant "
                        + s.variant() + " (spark-submit to " + spark.masterUrl() + ", --out " + genOut + ")");
        SparkSubmission job = sparkJob(spark, "generation-batch", "io.redpacket.generation.GenerationCli", "generate")
                .conf("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .conf("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s")
                .args(
                        "generate",
                        "--budget",
                        budget.toString(),
                        "--script",
                        script.toString(),
                        "--keys",
                        ring.toString(),
                        "--password-file",
                        passwordFile.toString(),
                        "--out",
                        genOut.toString(),
                        "--shards",
                        String.valueOf(s.shards()),
                        "--seed",
                        String.valueOf(s.seed()),
                        "--variant",
                        s.variant());
        submit(spark, job, "generate", "generation");
        variant = Locations.child(genOut, s.variant());

        // The operators' copy (plan, manifests, budget: what the runner, the dashboard and the insider read), then each
        // edge's deployment: the metadata and the envelope files of the shards it serves.
        Path local = s.workDir().resolve("generation").resolve(s.variant());
        download(variant, local, relative -> true);
        List<FileManifest> manifests = AvroFiles.readAll(local.resolve(CampaignLayout.MANIFESTS), FileManifest.class);
        Map<String, Integer> shardOfFile = new HashMap<>();
        manifests.forEach(m -> shardOfFile.put(m.getFileName(), m.getShard()));
        Map<Integer, Set<Integer>> served = ShardPlan.servedShards(s.shards(), s.edges());
        for (int e = 1; e <= s.edges(); e++) {
            Set<Integer> shards = served.getOrDefault(e, Set.of());
            Path dir = s.workDir().resolve("deploy/edge-" + e).resolve(s.variant());
            int files = download(
                    variant,
                    dir,
                    relative -> !relative.startsWith(CampaignLayout.ENVELOPES_DIR + "/")
                            || shards.contains(shardOfFile.getOrDefault(relative, -1)));
            edgeCampaigns.put(e, dir);
            out.stage("deployed edge " + e + ": shards " + shards + " (" + files + " files) from " + variant + " to "
                    + s.workDir().relativize(dir));
        }
        return local;
    }

    @Override
    public Path edgeCampaign(int edgeId) {
        return edgeCampaigns.get(edgeId);
    }

    @Override
    public Settlement startSettlement(String kafka, String fromCheckpoint) throws IOException {
        LocalFlinkCluster flink = await(flinkStart, "the Flink cluster");
        URI settlementOut = hdfs("/settlement");
        FlinkRun run = FlinkRun.jar(jobJar("settlement-stream"))
                .parallelism(2)
                .args(
                        "--campaign",
                        variant.toString(),
                        "--kafka",
                        kafka,
                        "--out",
                        settlementOut.toString(),
                        "--password-file",
                        passwordFile.toString(),
                        "--channel-limit",
                        "coupon-travel=" + s.couponLimitPerSecond());
        if (s.holdFlagged()) {
            run.args("--hold-flagged");
        }
        if (fromCheckpoint != null) {
            run.fromSavepoint(fromCheckpoint);
        }
        CliResult r = flink.run(run);
        Files.writeString(
                logs.resolve("settle.log"),
                "flink run " + String.join(" ", r.arguments()) + "\n" + r.output() + "\n",
                StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        if (!r.succeeded() || r.jobId().isEmpty()) {
            throw new IOException("flink run of settlement failed (exit " + r.exitCode() + "); "
                    + logs.resolve("settle.log") + ":\n" + tail(r.output(), 30));
        }
        String jobId = r.jobId().get();
        out.stage("settlement: flink run on the session cluster (2 TaskManagers), job " + jobId + ", campaign from "
                + variant + ", logs to " + settlementOut + ", checkpoints to " + hdfs("/flink/checkpoints")
                + "; Flink UI on " + flink.restUrl());
        try {
            flink.awaitRunning(jobId, FLINK_RUNNING_TIMEOUT);
        } catch (RuntimeException e) {
            throw new IOException(
                    "settlement job " + jobId + " not running: " + e.getMessage() + "; cluster logs in "
                            + flink.logDir(),
                    e);
        }
        return new FlinkSettlement(flink, jobId);
    }

    /** The settlement job on the session cluster, watched through the cluster's REST API. */
    private final class FlinkSettlement implements Settlement {
        private final LocalFlinkCluster flink;
        private final String jobId;

        FlinkSettlement(LocalFlinkCluster flink, String jobId) {
            this.flink = flink;
            this.jobId = jobId;
        }

        @Override
        public boolean isAlive() {
            try {
                return !Set.of("FAILED", "CANCELED", "FINISHED", "SUSPENDED").contains(flink.jobState(jobId));
            } catch (RuntimeException unreachable) {
                return flink.isRunning();
            }
        }

        @Override
        public String diagnostics() {
            try {
                return "job " + jobId + " " + flink.jobState(jobId) + "; exceptions:\n"
                        + tail(flink.exceptionHistory(jobId), 40) + "\ncluster logs in " + flink.logDir();
            } catch (RuntimeException e) {
                return "job " + jobId + ": the cluster does not answer (" + e.getMessage() + "); logs in "
                        + flink.logDir();
            }
        }

        @Override
        public List<String> failures() {
            return flink.rest().failures(jobId);
        }

        /** Stop with a savepoint on HDFS: the sinks commit what they hold, the job ends FINISHED. */
        @Override
        public void stop() {
            if (!isAlive()) {
                return;
            }
            try {
                String savepoint = flink.stopWithSavepoint(jobId);
                out.stage("settlement stopped with a savepoint: " + savepoint);
            } catch (RuntimeException e) {
                out.stage("warning: stop with savepoint failed ("
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + "); cancelling job " + jobId);
                kill();
            }
        }

        @Override
        public void kill() {
            try {
                flink.cancel(jobId);
            } catch (RuntimeException ignored) {
                // Already ended, or the cluster is going away with the run.
            }
        }
    }

    @Override
    public String latestCheckpoint() throws IOException {
        throw new IOException("the fault drill does not run with --cluster");
    }

    @Override
    public ReconciliationSummary reconcile() throws IOException, io.redpacket.cli.BadInputException {
        LocalSparkCluster spark = await(sparkStart, "the Spark cluster");
        URI settlement = hdfs("/settlement");
        URI warehouse = hdfs("/warehouse");
        out.stage("reconciliation: spark-submit to " + spark.masterUrl() + ", decrypting every envelope of " + variant
                + ", warehouse " + warehouse);
        SparkSubmission job = sparkJob(
                        spark, "reconciliation-batch", "io.redpacket.reconciliation.ReconciliationCli", "reconcile")
                .conf("spark.sql.shuffle.partitions", "4")
                .args(
                        "reconcile",
                        "--generation",
                        variant.toString(),
                        "--settlement",
                        settlement.toString(),
                        "--warehouse",
                        warehouse.toString(),
                        "--password-file",
                        passwordFile.toString());
        submit(spark, job, "reconcile", "reconciliation");
        recordWhatLanded(settlement, warehouse);
        return WarehouseLayout.readSummary(store, warehouse);
    }

    /** What is on HDFS now, counted there: the summary's proof that the data did not stay on this machine's disk. */
    private void recordWhatLanded(URI settlement, URI warehouse) throws IOException {
        List<FileStore.Entry> campaign = store.listFiles(variant);
        long envelopeFiles = campaign.stream()
                .filter(e -> Locations.fileName(e.uri()).endsWith(CampaignLayout.ENVELOPE_FILE_SUFFIX))
                .count();
        long envelopeBytes = campaign.stream()
                .filter(e -> Locations.fileName(e.uri()).endsWith(CampaignLayout.ENVELOPE_FILE_SUFFIX))
                .mapToLong(FileStore.Entry::sizeBytes)
                .sum();
        long logFiles = store.listFiles(settlement).stream()
                .filter(e -> Locations.fileName(e.uri()).endsWith(".parquet")
                        && !Locations.fileName(e.uri()).startsWith("."))
                .count();
        long warehouseFiles = store.listFiles(warehouse).stream()
                .filter(e -> Locations.fileName(e.uri()).endsWith(".parquet"))
                .count();
        long checkpointFiles =
                store.exists(hdfs("/flink")) ? store.listFiles(hdfs("/flink")).size() : 0;
        outputLines.add(String.format(
                "%-34s %s",
                "on HDFS",
                hdfsRoot + ROOT + " (data kept in "
                        + s.workDir().relativize(s.workDir().resolve("hdfs")) + "/)"));
        outputLines.add(
                String.format("%-34s %,d envelope files, %,d bytes", "  campaign", envelopeFiles, envelopeBytes));
        outputLines.add(String.format("%-34s %,d Parquet files", "  settlement logs", logFiles));
        outputLines.add(String.format("%-34s %,d files", "  checkpoints and savepoints", checkpointFiles));
        outputLines.add(String.format("%-34s %,d Parquet files", "  reconciliation warehouse", warehouseFiles));
    }

    @Override
    public List<String> outputLines() {
        return List.copyOf(outputLines);
    }

    /** Flink first (its checkpoints go to HDFS), then Spark, then HDFS; each stops even if one before it failed to. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (hdfsStart != null) {
            out.stage("stopping the clusters (Flink, Spark, HDFS; HDFS data stays in "
                    + s.workDir().resolve("hdfs") + ")");
        }
        for (CompletableFuture<? extends AutoCloseable> f :
                new ArrayList<>(java.util.Arrays.asList(flinkStart, sparkStart, hdfsStart))) {
            if (f == null) {
                continue;
            }
            // A cluster still starting is stopped when it is up; its child JVMs die with this one in any case.
            f.whenComplete((cluster, failure) -> closeQuietly(cluster));
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // The next cluster still has to stop.
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private URI hdfs(String path) {
        return URI.create(hdfsRoot + ROOT + path);
    }

    /** A job jar as {@code mvn package} builds it (bin/redpacket's build of the module does). */
    private Path jobJar(String module) throws IOException {
        Path target = s.home().resolve(module).resolve("target");
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                var jar = files.filter(p -> p.getFileName().toString().matches("redpacket-" + module + "-.*-job\\.jar"))
                        .findFirst();
                if (jar.isPresent()) {
                    return jar.get();
                }
            }
        }
        throw new IOException(target + ": no job jar; build it with: mvn -pl " + module + " -am package -DskipTests");
    }

    /** A spark-submit of a job jar: secrets only in the cluster's owner-only properties file, small executors. */
    private SparkSubmission sparkJob(LocalSparkCluster spark, String module, String mainClass, String name)
            throws IOException {
        return SparkSubmission.of(jobJar(module), mainClass)
                .name(name)
                .propertiesFile(spark.authPropertiesFile())
                .conf("spark.executor.memory", "512m")
                .conf("spark.ui.enabled", "false");
    }

    /** Runs a spark-submit to its end; its output becomes logs/{@code logName}.log, where the runner and the summary look. */
    private void submit(LocalSparkCluster spark, SparkSubmission job, String logName, String what) throws IOException {
        SparkApplication.Result r;
        try {
            r = spark.submit(job, SPARK_APP_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what + " ran", e);
        }
        Path log = logs.resolve(logName + ".log");
        Files.copy(r.logFile(), log, StandardCopyOption.REPLACE_EXISTING);
        if (r.exitCode() != 0) {
            throw new IOException(
                    what + " failed (spark-submit exit " + r.exitCode() + "); " + log + ":\n" + tail(r.output(), 30));
        }
    }

    private URI put(Path local, URI target) throws IOException {
        try (OutputStream o = store.create(target)) {
            Files.copy(local, o);
        }
        return target;
    }

    /** A secret file on HDFS, readable by its owner only (the executors and TaskManagers run as that user). */
    private URI putOwnerOnly(Path local, URI target) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(target);
        FileSystem fs = p.getFileSystem(store.configuration());
        try (OutputStream o = FileSystem.create(fs, p, new FsPermission((short) 0600))) {
            Files.copy(local, o);
        }
        return target;
    }

    /**
     * Copies the files under {@code dir} that {@code wanted} accepts (by path relative to {@code dir}) into
     * {@code target}, through a temporary directory renamed at the end: a deployment is complete or absent.
     */
    private int download(URI dir, Path target, java.util.function.Predicate<String> wanted) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.createDirectories(tmp);
        String prefix = dir.getPath().endsWith("/") ? dir.getPath() : dir.getPath() + "/";
        int n = 0;
        for (FileStore.Entry e : store.listFiles(dir)) {
            String relative = e.uri().getPath().substring(prefix.length());
            if (!wanted.test(relative)) {
                continue;
            }
            Path to = tmp.resolve(relative);
            Files.createDirectories(to.getParent());
            try (InputStream in = store.open(e.uri())) {
                Files.copy(in, to);
            }
            n++;
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        return n;
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }

    private interface Starter<T> {
        T start() throws IOException;
    }

    private <T> T startOrFail(Starter<T> starter) {
        try {
            return starter.start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private <T> T await(CompletableFuture<T> start, String what) throws IOException {
        try {
            return start.get(START_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what + " started", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
            throw new IOException(what + " did not start: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IOException(what + " did not start within " + START_TIMEOUT_MINUTES
                    + " minutes; see its logs under " + s.workDir());
        }
    }
}
