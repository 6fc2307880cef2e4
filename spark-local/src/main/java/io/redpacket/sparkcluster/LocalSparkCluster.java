package io.redpacket.sparkcluster;

import io.redpacket.hadoop.ChildJvm;
import io.redpacket.hadoop.OwnerOnlyFiles;
import io.redpacket.kafka.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on this machine: a master and N workers, each its own JVM, started from a Spark
 * home assembled out of the Maven jars (see {@link SparkHome}); the workers launch one executor JVM per application
 * exactly as on a real cluster. Nothing of Spark reaches the class path of this JVM.
 *
 * <p>With {@link Builder#authenticate(boolean)} the whole cluster runs with {@code spark.authenticate=true} and
 * {@code spark.network.crypto.enabled=true}; a random shared secret, generated per start, reaches the daemons through
 * the owner-only {@code conf/spark-defaults.conf} and applications through an owner-only properties file
 * ({@link #authPropertiesFile()}), never a command line. Executors get it from their worker in the environment
 * ({@code _SPARK_AUTH_SECRET}), which is how Spark's standalone worker passes it.
 *
 * <p>Every process is killed when this JVM exits; {@link #close()} stops the workers (which kill their executors),
 * kills any executor left, then stops the master.
 */
public final class LocalSparkCluster implements AutoCloseable {
    public static final String SPARK_VERSION = "4.2.0";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Pattern ALIVE_WORKERS = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");

    private final Path workDir;
    private final SparkHome home;
    private final int masterPort;
    private final int masterUiPort;
    private final Builder settings;
    private final String secret;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger submissions = new AtomicInteger();
    private final List<ChildJvm> workers = new ArrayList<>();
    private final List<SparkApplication> applications = new ArrayList<>();
    private ChildJvm master;

    private LocalSparkCluster(
            Path workDir, SparkHome home, int masterPort, int masterUiPort, Builder settings, String secret) {
        this.workDir = workDir;
        this.home = home;
        this.masterPort = masterPort;
        this.masterUiPort = masterUiPort;
        this.settings = settings;
        this.secret = secret;
    }

    /** Two workers with one core and 1 GB for executors each, no authentication. */
    public static LocalSparkCluster start(Path workDir) throws IOException {
        return builder(workDir).start();
    }

    public static Builder builder(Path workDir) {
        return new Builder(workDir);
    }

    /** {@code spark://127.0.0.1:<port>}: what {@code --master} takes. */
    public String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The master's web UI ({@code /json/} gives its state as JSON). */
    public String masterWebUiUrl() {
        return "http://127.0.0.1:" + masterUiPort;
    }

    /** The Spark home the cluster runs from: {@code jars/} and {@code conf/} as a Spark distribution has them. */
    public Path sparkHome() {
        return home.root();
    }

    /**
     * {@code <Spark home>/bin/spark-submit}: the command a person types ({@code --master} {@link #masterUrl()}); it
     * runs the driver in client mode in its own JVM, like {@link #launch(SparkSubmission)} but without the
     * supervision (nothing kills it if the caller dies).
     */
    public Path sparkSubmitScript() {
        return home.sparkSubmitScript();
    }

    /** The Spark jars of the cluster, for a test that builds its own class path. */
    public List<Path> sparkJars() {
        return home.jars();
    }

    public Path workDir() {
        return workDir;
    }

    public Path masterLogFile() {
        return workDir.resolve("master.log");
    }

    /** Worker i's log; its executors' logs are under {@code workerDir(i)/<app id>/<executor id>/stderr}. */
    public Path workerLogFile(int i) {
        return workDir.resolve("worker-" + i + ".log");
    }

    public Path workerDir(int i) {
        return workDir.resolve("worker-" + i);
    }

    public int workerCount() {
        return settings.workers;
    }

    public boolean authenticates() {
        return secret != null;
    }

    /**
     * Owner-only properties file with {@code spark.authenticate}, {@code spark.network.crypto.enabled} and the shared
     * secret, for {@code spark-submit --properties-file}; present only when the cluster authenticates.
     */
    public Path authPropertiesFile() {
        if (secret == null) {
            throw new IllegalStateException("this cluster runs without authentication");
        }
        return authPropertiesFile(workDir);
    }

    private static Path authPropertiesFile(Path workDir) {
        return workDir.resolve("secrets").resolve("spark-auth.properties");
    }

    /** The executor JVMs alive now (children of the worker JVMs). */
    public List<ProcessHandle> executorProcesses() {
        List<ProcessHandle> executors = new ArrayList<>();
        for (ChildJvm w : workers) {
            // A worker forks through the JDK's jspawnhelper, which shows as its child until it execs the executor JVM.
            w.handle()
                    .children()
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                    .forEach(executors::add);
        }
        return executors;
    }

    /**
     * Settings for a driver in this JVM ({@code SparkSession.builder().master(...).config(...)}): the master, the
     * driver on loopback, and with authentication the shared secret (set in code, not on a command line). The
     * caller adds its classes for the executors: {@code spark.jars} (a jar) or {@code spark.executor.extraClassPath}
     * (a directory on this machine). This JVM then needs Spark on its class path and Spark's JVM flags
     * ({@link #javaModuleOptions()}).
     */
    public Map<String, String> driverConf() {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.master", masterUrl());
        conf.put("spark.driver.host", "127.0.0.1");
        conf.put("spark.driver.bindAddress", "127.0.0.1");
        if (secret != null) {
            conf.putAll(authConf(secret));
        }
        return conf;
    }

    /** The JVM flags Spark's launcher adds on Java 17+ (for a driver JVM started by a test's build). */
    public List<String> javaModuleOptions() {
        return home.javaModuleOptions();
    }

    /** Runs spark-submit against this cluster and waits for it to exit. */
    public SparkApplication.Result submit(SparkSubmission submission, Duration timeout)
            throws IOException, InterruptedException {
        return launch(submission).waitFor(timeout);
    }

    /**
     * Starts {@code spark-submit --master <this cluster> --deploy-mode client ...} as its own JVM
     * ({@code org.apache.spark.deploy.SparkSubmit}, with the class path, environment and JVM flags
     * {@code bin/spark-submit} would give it) and returns at once. Its output goes to
     * {@code <work dir>/submit-<n>-<name>.log}.
     */
    public synchronized SparkApplication launch(SparkSubmission submission) throws IOException {
        int n = submissions.incrementAndGet();
        Path tmp = Files.createDirectories(workDir.resolve("submit-" + n + "-tmp"));
        Map<String, String> env = new LinkedHashMap<>(home.environment());
        env.putAll(submission.env);
        List<String> jvm = new ArrayList<>(home.javaModuleOptions());
        jvm.add("-Djava.io.tmpdir=" + tmp);
        ChildJvm driver = ChildJvm.builder(
                        "spark-submit-" + n, workDir.resolve("submit-" + n + "-" + submission.name + ".log"))
                .classpath(home.classpath())
                .heap(submission.driverHeap)
                .jvmArgs(jvm)
                .env(env)
                .mainClass("org.apache.spark.deploy.SparkSubmit", submission.arguments(masterUrl()))
                .directory(workDir)
                .start();
        SparkApplication app = new SparkApplication(driver);
        applications.add(app);
        return app;
    }

    @Override
    public synchronized void close() {
        for (SparkApplication app : applications) {
            if (app.isAlive()) {
                app.stop();
            }
        }
        for (ChildJvm w : workers) {
            w.stop(STOP_GRACE);
        }
        workers.clear();
        if (master != null) {
            master.stop(STOP_GRACE);
            master = null;
        }
    }

    private static Map<String, String> authConf(String secret) {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.authenticate", "true");
        conf.put("spark.network.crypto.enabled", "true");
        conf.put("spark.authenticate.secret", secret);
        return conf;
    }

    private void startDaemons() throws IOException {
        List<String> jvm = new ArrayList<>(home.javaModuleOptions());
        jvm.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        master = ChildJvm.builder("spark-master", masterLogFile())
                .classpath(home.classpath())
                .heap(settings.daemonHeap)
                .jvmArgs(jvm)
                .env(home.environment())
                .mainClass(
                        "org.apache.spark.deploy.master.Master",
                        List.of(
                                "--host",
                                "127.0.0.1",
                                "--port",
                                Integer.toString(masterPort),
                                "--webui-port",
                                Integer.toString(masterUiPort)))
                .directory(workDir)
                .start();
        master.awaitReady("Spark master", START_TIMEOUT, () -> aliveWorkers() >= 0);
        for (int i = 0; i < settings.workers; i++) {
            Path dir = Files.createDirectories(workerDir(i));
            Map<String, String> env = new LinkedHashMap<>(home.environment());
            // Executors' block manager and shuffle files go under the worker's directory, not /tmp.
            env.put(
                    "SPARK_LOCAL_DIRS",
                    Files.createDirectories(dir.resolve("local")).toString());
            workers.add(ChildJvm.builder("spark-worker-" + i, workerLogFile(i))
                    .classpath(home.classpath())
                    .heap(settings.daemonHeap)
                    .jvmArgs(jvm)
                    .env(env)
                    .mainClass(
                            "org.apache.spark.deploy.worker.Worker",
                            List.of(
                                    "--host",
                                    "127.0.0.1",
                                    "--port",
                                    "0",
                                    "--webui-port",
                                    "0",
                                    "--cores",
                                    Integer.toString(settings.coresPerWorker),
                                    "--memory",
                                    settings.workerMemory,
                                    "--work-dir",
                                    dir.toString(),
                                    masterUrl()))
                    .directory(dir)
                    .start());
        }
        for (ChildJvm w : workers) {
            w.awaitReady(
                    "Spark worker (registration with " + masterUrl() + ")",
                    START_TIMEOUT,
                    () -> aliveWorkers() >= settings.workers);
        }
    }

    /** Workers the master counts as alive, from its JSON state; -1 while the master does not answer. */
    private int aliveWorkers() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(masterWebUiUrl() + "/json/"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = ALIVE_WORKERS.matcher(r.body());
        if (r.statusCode() != 200 || !m.find() || !r.body().contains("\"ALIVE\"")) {
            return -1;
        }
        return Integer.parseInt(m.group(1));
    }

    /** How big a cluster, and whether it authenticates. */
    public static final class Builder {
        private final Path workDir;
        private int workers = 2;
        private int coresPerWorker = 1;
        private String workerMemory = "1g";
        private String daemonHeap = "256m";
        private boolean authenticate;
        private final Map<String, String> conf = new LinkedHashMap<>();

        private Builder(Path workDir) {
            this.workDir = workDir;
        }

        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        public Builder coresPerWorker(int cores) {
            this.coresPerWorker = cores;
            return this;
        }

        /** Memory each worker offers its executors ({@code --memory}); an executor takes spark.executor.memory of it. */
        public Builder workerMemory(String memory) {
            this.workerMemory = memory;
            return this;
        }

        /** Heap of the master and worker daemons themselves (Spark's SPARK_DAEMON_MEMORY). */
        public Builder daemonHeap(String heap) {
            this.daemonHeap = heap;
            return this;
        }

        /** Authentication and AES network encryption on every connection, with a fresh shared secret. */
        public Builder authenticate(boolean on) {
            this.authenticate = on;
            return this;
        }

        /** A cluster default in conf/spark-defaults.conf (daemons and spark-submit without --properties-file). */
        public Builder conf(String key, String value) {
            conf.put(key, value);
            return this;
        }

        public LocalSparkCluster start() throws IOException {
            FreePorts ports = new FreePorts();
            int masterPort = ports.next(1);
            int uiPort = ports.next(1);
            Path dir = Files.createDirectories(workDir).toAbsolutePath();
            String secret = null;
            Map<String, String> defaults = new LinkedHashMap<>(conf);
            if (authenticate) {
                byte[] bytes = new byte[32];
                new SecureRandom().nextBytes(bytes);
                secret = HexFormat.of().formatHex(bytes);
                defaults.putAll(authConf(secret));
                StringBuilder props = new StringBuilder();
                authConf(secret)
                        .forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
                OwnerOnlyFiles.write(authPropertiesFile(dir), props.toString());
            }
            LocalSparkCluster cluster = new LocalSparkCluster(
                    dir, SparkHome.create(dir.resolve("spark-home"), defaults), masterPort, uiPort, this, secret);
            try {
                cluster.startDaemons();
            } catch (IOException | RuntimeException e) {
                cluster.close();
                throw e;
            }
            return cluster;
        }
    }

    /**
     * Runs a cluster as a process of its own until killed: {@code LocalSparkCluster <work dir> [workers] [--auth]}.
     * Prints the master URL, the Spark home (for {@code SPARK_HOME=... spark-submit}) and the logs.
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: LocalSparkCluster <work dir> [workers] [--auth]");
            System.exit(2);
        }
        Builder b = builder(Path.of(args[0]));
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--auth")) {
                b.authenticate(true);
            } else {
                b.workers(Integer.parseInt(args[i]));
            }
        }
        LocalSparkCluster cluster = b.start();
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "local-spark-main-shutdown"));
        System.out.println(cluster.masterUrl());
        System.out.println("SPARK_HOME=" + cluster.sparkHome());
        System.out.println("master UI: " + cluster.masterWebUiUrl());
        if (cluster.authenticates()) {
            System.out.println("application properties (secret): " + cluster.authPropertiesFile());
        }
        System.out.println("logs: " + cluster.workDir());
        Thread.currentThread().join();
    }
}
