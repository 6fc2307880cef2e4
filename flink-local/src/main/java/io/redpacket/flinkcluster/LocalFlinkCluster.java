package io.redpacket.flinkcluster;

import io.redpacket.kafka.FreePorts;
import io.redpacket.kafka.LocalKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Flink session cluster on this machine: a JobManager ({@code StandaloneSessionClusterEntrypoint}) and N
 * TaskManagers ({@code TaskManagerRunner}), each its own JVM, started as Flink's scripts start them (memory flags from
 * {@code BashJavaUtils}, {@code env.java.opts.*} from the config) from the Maven jars recorded at build time. Jobs are
 * submitted, stopped with a savepoint and cancelled with the flink command line ({@code CliFrontend}) in a child JVM,
 * as {@code flink run} does. Everything lives in the work directory (see {@link FlinkHome}); every child is killed
 * when this JVM exits, even on Ctrl-C.
 */
public final class LocalFlinkCluster implements AutoCloseable {
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);
    /** The env.java.opts.all of Flink 2.2's stock config.yaml (module opens for Java 17), nothing more. */
    public static final String STOCK_JAVA_OPTS = String.join(
            " ",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String CLI_MAIN = "org.apache.flink.client.cli.CliFrontend";
    private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(5);
    private static final FreePorts PORTS = new FreePorts();

    private final FlinkHome home;
    private final ClusterOptions options;
    private final Map<String, String> config;
    private final int restPort;
    private final List<Integer> prometheusPorts;
    private final String classpath;
    private final FlinkRest rest;
    private final List<Daemon> daemons = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Set<Process> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger clientRuns = new AtomicInteger();
    private final Thread shutdownHook = new Thread(() -> stopAll(Duration.ofSeconds(5)), "flink-local-shutdown");
    private volatile boolean closed;

    /** A cluster process and its log files. */
    private record Daemon(String name, Process process, Path log, Path out) {}

    private LocalFlinkCluster(
            FlinkHome home, ClusterOptions options, int restPort, int rpcPort, List<Integer> prometheusPorts)
            throws IOException {
        this.home = home;
        this.options = options;
        this.restPort = restPort;
        this.prometheusPorts = prometheusPorts;
        this.config = flinkConfig(options, home, restPort, rpcPort, prometheusPorts);
        this.classpath = home.classpath(options.hadoopConfDir);
        this.rest = new FlinkRest(restUrl());
    }

    /** Starts a cluster with the default shape (a JobManager and two TaskManagers with two slots each). */
    public static LocalFlinkCluster start(Path workDir) throws IOException {
        return start(workDir, ClusterOptions.defaults());
    }

    /** Starts the JobManager and the TaskManagers and returns once every TaskManager has registered. */
    public static LocalFlinkCluster start(Path workDir, ClusterOptions options) throws IOException {
        int restPort = options.restPort != 0 ? options.restPort : PORTS.next(1);
        int rpcPort = options.jobManagerRpcPort != 0 ? options.jobManagerRpcPort : PORTS.next(1);
        LocalKafkaBroker.checkPortFree(restPort, "Flink REST");
        LocalKafkaBroker.checkPortFree(rpcPort, "Flink JobManager RPC");
        List<Integer> prometheus = new ArrayList<>();
        if (options.prometheusPort != null) {
            int first = options.prometheusPort != 0 ? options.prometheusPort : PORTS.next(options.taskManagers + 1);
            for (int i = 0; i <= options.taskManagers; i++) {
                prometheus.add(first + i);
            }
        }
        LocalFlinkCluster cluster =
                new LocalFlinkCluster(FlinkHome.create(workDir), options, restPort, rpcPort, List.copyOf(prometheus));
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            cluster.launch();
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** http://127.0.0.1:port: the REST API and web UI. */
    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public int restPort() {
        return restPort;
    }

    /** The FLINK_CONF_DIR of this cluster (config.yaml, log4j files), for clients and tools. */
    public Path configDir() {
        return home.conf;
    }

    /** The installation directory: lib/, plugins/, conf/, log/, bin/flink, tmp/. */
    public Path home() {
        return home.dir;
    }

    public Path logDir() {
        return home.log;
    }

    /** bin/flink of this cluster: the flink command line, for commands run by hand or by scripts. */
    public Path flinkScript() {
        return home.flinkScript();
    }

    /** The settings written to conf/config.yaml. */
    public Map<String, String> config() {
        return config;
    }

    /**
     * Ports of the Prometheus reporter, one per process; each process takes the first free one of the range, so which
     * process has which port varies. Empty when not enabled.
     */
    public List<Integer> prometheusPorts() {
        return prometheusPorts;
    }

    /** The resource ids the TaskManagers registered with: tm-1 .. tm-N. */
    public List<String> taskManagerIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= options.taskManagers; i++) {
            ids.add(taskManagerId(i));
        }
        return ids;
    }

    public FlinkRest rest() {
        return rest;
    }

    /** Process ids of the JobManager and TaskManagers. */
    public List<Long> pids() {
        return daemons.stream().map(d -> d.process().pid()).toList();
    }

    public boolean isRunning() {
        return !daemons.isEmpty() && daemons.stream().allMatch(d -> d.process().isAlive());
    }

    /** flink run -d: submits the job and returns the client's result (job id in {@link CliResult#jobId()}). */
    public CliResult run(FlinkRun run) {
        return cli(run.environment(), CLI_TIMEOUT, run.cliArguments());
    }

    public CliResult run(Path jar, String mainClass, String... args) {
        return run(FlinkRun.jar(jar).mainClass(mainClass).args(args));
    }

    /** flink run -d, failing with the client's output unless it exits 0 and prints a job id. */
    public String submit(FlinkRun run) {
        CliResult r = run(run).requireSuccess();
        return r.jobId().orElseThrow(() -> new IllegalStateException(r.describe("printed no job id")));
    }

    /** flink stop --savepointPath dir: a savepoint, then the job stops; returns the savepoint's path. */
    public String stopWithSavepoint(String jobId, String savepointDir) {
        CliResult r = cli("stop", "--savepointPath", savepointDir, jobId).requireSuccess();
        return stopped(jobId, r);
    }

    /** flink stop into the cluster's execution.checkpointing.savepoint-dir. */
    public String stopWithSavepoint(String jobId) {
        CliResult r = cli("stop", jobId).requireSuccess();
        return stopped(jobId, r);
    }

    /**
     * {@code flink stop} returns once the savepoint is complete; the job finishes a moment later (seen still RUNNING on
     * a quiet machine). A caller of stop expects a stopped job, so wait for it.
     */
    private String stopped(String jobId, CliResult r) {
        String savepoint =
                r.savepointPath().orElseThrow(() -> new IllegalStateException(r.describe("printed no savepoint path")));
        rest.awaitTerminal(jobId, STOP_TIMEOUT);
        return savepoint;
    }

    /** flink cancel. */
    public void cancel(String jobId) {
        cli("cancel", jobId).requireSuccess();
    }

    public String jobState(String jobId) {
        return rest.jobState(jobId);
    }

    public List<FlinkRest.Job> jobs() {
        return rest.jobs();
    }

    public void awaitRunning(String jobId, Duration timeout) {
        rest.awaitRunning(jobId, timeout);
    }

    public String awaitTerminal(String jobId, Duration timeout) {
        return rest.awaitTerminal(jobId, timeout);
    }

    public String exceptionHistory(String jobId) {
        return rest.exceptionHistory(jobId);
    }

    /** Any flink command (list, savepoint, info, ...) with this cluster's FLINK_CONF_DIR. */
    public CliResult cli(String... args) {
        return cli(Map.of(), CLI_TIMEOUT, List.of(args));
    }

    /**
     * Runs the flink command line in a child JVM with this cluster's configuration and the given extra environment;
     * its output is captured into log/client-N.out and returned. A run that exceeds the timeout is killed.
     */
    public CliResult cli(Map<String, String> env, Duration timeout, List<String> args) {
        if (closed) {
            throw new IllegalStateException("cluster in " + home.dir + " is closed");
        }
        Path out = home.log.resolve("client-" + clientRuns.incrementAndGet() + ".out");
        List<String> cmd = new ArrayList<>(cliCommand());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(home.dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().putAll(processEnvironment());
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            clients.add(p);
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new IllegalStateException("flink " + String.join(" ", args) + " did not end within "
                            + timeout.toSeconds() + " s; output (" + out + "):\n" + Files.readString(out));
                }
            } finally {
                clients.remove(p);
            }
            return new CliResult(List.copyOf(args), p.exitValue(), Files.readString(out), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the flink command line: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running flink " + String.join(" ", args), e);
        }
    }

    /** Stops the TaskManagers, then the JobManager (SIGTERM, then SIGKILL after 30 s); leaves no JVM behind. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        stopAll(Duration.ofSeconds(30));
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // JVM already shutting down: the hook runs anyway.
        }
    }

    /** SIGTERM to every process (Flink cleans up its temporary files), SIGKILL to those still alive after the grace. */
    private void stopAll(Duration grace) {
        closed = true;
        clients.forEach(Process::destroyForcibly);
        List<Daemon> stopOrder = new ArrayList<>(daemons);
        java.util.Collections.reverse(stopOrder);
        stopOrder.forEach(d -> d.process().destroy());
        long deadline = System.nanoTime() + grace.toNanos();
        for (Daemon d : stopOrder) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!d.process().waitFor(left, TimeUnit.NANOSECONDS)) {
                    d.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                daemons.forEach(x -> x.process().destroyForcibly());
                return;
            }
        }
    }

    private void launch() throws IOException {
        home.writeConfig(config);
        home.writeFlinkScript(cliCommand(), processEnvironment());
        // Both memory computations at once: each is a JVM start.
        Process jmParams = startBashJavaUtils("GET_JM_RESOURCE_PARAMS", "bash-java-utils-jm");
        Process tmParams = startBashJavaUtils("GET_TM_RESOURCE_PARAMS", "bash-java-utils-tm");
        awaitExit(jmParams, "BashJavaUtils GET_JM_RESOURCE_PARAMS");
        awaitExit(tmParams, "BashJavaUtils GET_TM_RESOURCE_PARAMS");
        List<List<String>> jm = resourceParams(jmParams, "GET_JM_RESOURCE_PARAMS", "bash-java-utils-jm");
        List<List<String>> tm = resourceParams(tmParams, "GET_TM_RESOURCE_PARAMS", "bash-java-utils-tm");

        List<String> jmArgs = new ArrayList<>(List.of("--configDir", home.conf.toString()));
        jmArgs.addAll(jm.get(1));
        daemons.add(startDaemon("jobmanager", JOB_MANAGER_MAIN, jm.get(0), "env.java.opts.jobmanager", jmArgs));
        // TaskManagers retry registering until the JobManager listens, so they start right away.
        for (int i = 1; i <= options.taskManagers; i++) {
            List<String> tmArgs = new ArrayList<>(List.of("--configDir", home.conf.toString()));
            tmArgs.addAll(tm.get(1));
            tmArgs.addAll(List.of("-D", "taskmanager.resource-id=" + taskManagerId(i)));
            daemons.add(
                    startDaemon("taskmanager-" + i, TASK_MANAGER_MAIN, tm.get(0), "env.java.opts.taskmanager", tmArgs));
        }
        awaitReady();
    }

    private static String taskManagerId(int i) {
        return "tm-" + i;
    }

    private Daemon startDaemon(
            String name, String mainClass, List<String> memoryFlags, String roleOptsKey, List<String> args)
            throws IOException {
        Path log = home.log.resolve(name + ".log");
        Path out = home.log.resolve(name + ".out");
        if (Files.exists(out)) {
            Files.move(out, home.log.resolve(name + ".out.1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(memoryFlags);
        cmd.addAll(javaOpts(roleOptsKey));
        cmd.addAll(logSettings(log, home.daemonLogConfig()));
        cmd.add("-classpath");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(home.dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().putAll(processEnvironment());
        pb.environment().putAll(options.environment);
        return new Daemon(name, pb.start(), log, out);
    }

    /** java, JVM flags from env.java.opts.all and env.java.opts.client, log settings, class path, CliFrontend. */
    private List<String> cliCommand() {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(javaOpts("env.java.opts.client"));
        cmd.addAll(logSettings(home.log.resolve("flink-client.log"), home.cliLogConfig()));
        cmd.add("-classpath");
        cmd.add(classpath);
        cmd.add(CLI_MAIN);
        return cmd;
    }

    /** The variables Flink's scripts export (FLINK_CONF_DIR and friends, HADOOP_CLASSPATH, HADOOP_CONF_DIR). */
    private Map<String, String> processEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FLINK_HOME", home.dir.toString());
        env.put("FLINK_CONF_DIR", home.conf.toString());
        env.put("FLINK_LIB_DIR", home.lib.toString());
        env.put("FLINK_PLUGINS_DIR", home.plugins.toString());
        env.put("FLINK_BIN_DIR", home.bin.toString());
        env.put("FLINK_LOG_DIR", home.log.toString());
        try {
            env.put("HADOOP_CLASSPATH", FlinkHome.hadoopClasspath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (options.hadoopConfDir != null) {
            env.put("HADOOP_CONF_DIR", options.hadoopConfDir.toAbsolutePath().toString());
        }
        return env;
    }

    private List<String> javaOpts(String roleOptsKey) {
        List<String> opts = new ArrayList<>();
        opts.addAll(split(config.getOrDefault("env.java.opts.all", "")));
        opts.addAll(split(config.getOrDefault(roleOptsKey, "")));
        opts.addAll(options.jvmArgs);
        // Temporary files (RocksDB's native library, uploaded jars) stay in the work directory.
        opts.add("-Djava.io.tmpdir=" + home.tmp);
        return opts;
    }

    private static List<String> logSettings(Path logFile, Path log4jConfig) {
        return List.of(
                "-Dlog.file=" + logFile,
                "-Dlog4j.configuration=file:" + log4jConfig,
                "-Dlog4j.configurationFile=file:" + log4jConfig);
    }

    private Process startBashJavaUtils(String command, String name) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(logSettings(home.log.resolve(name + ".log"), home.cliLogConfig()));
        cmd.addAll(List.of("-classpath", classpath, BASH_JAVA_UTILS, command, "--configDir", home.conf.toString()));
        Process p = new ProcessBuilder(cmd)
                .directory(home.dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.log.resolve(name + ".out").toFile())
                .start();
        clients.add(p); // killed by close() if start-up fails before it ends
        return p;
    }

    /** Waits for a short-lived process; one that hangs is killed. */
    private static void awaitExit(Process p, String what) throws IOException {
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " did not end within 120 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + what, e);
        }
    }

    /** The two result lines of an ended BashJavaUtils: JVM flags, then dynamic properties ("-D key=value ..."). */
    private List<List<String>> resourceParams(Process p, String command, String name) throws IOException {
        clients.remove(p);
        Path out = home.log.resolve(name + ".out");
        List<String> results = Files.readAllLines(out).stream()
                .filter(l -> l.startsWith(RESULT_PREFIX))
                .map(l -> l.substring(RESULT_PREFIX.length()).trim())
                .toList();
        if (p.exitValue() != 0 || results.size() != 2) {
            throw new IOException("BashJavaUtils " + command + " failed (exit " + p.exitValue() + ") on "
                    + home.configFile() + "; output " + out + ":\n" + Files.readString(out));
        }
        return List.of(split(results.get(0)), split(results.get(1)));
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "REST API not reached yet";
        while (System.nanoTime() < deadline) {
            for (Daemon d : daemons) {
                if (!d.process().isAlive()) {
                    throw new IOException("Flink " + d.name() + " exited with code "
                            + d.process().exitValue() + " during start-up; log " + d.log() + ", output " + d.out()
                            + ":\n" + tail(d));
                }
            }
            try {
                int registered = rest.taskManagers().size();
                if (registered >= options.taskManagers) {
                    return;
                }
                last = registered + " of " + options.taskManagers + " TaskManagers registered";
            } catch (UncheckedIOException e) {
                last = e.getMessage();
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the Flink cluster", e);
            }
        }
        StringBuilder logs = new StringBuilder();
        for (Daemon d : daemons) {
            logs.append("\n--- ")
                    .append(d.log())
                    .append(" (and ")
                    .append(d.out())
                    .append("):\n")
                    .append(tail(d));
        }
        throw new IOException("Flink cluster in " + home.dir + " not ready after " + START_TIMEOUT.toSeconds() + " s ("
                + last + ")" + logs);
    }

    private static String tail(Daemon d) {
        return tail(d.log(), 40) + tail(d.out(), 20);
    }

    private static String tail(Path file, int lines) {
        if (!Files.exists(file)) {
            return "";
        }
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")\n";
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> split(String opts) {
        return Arrays.stream(opts.trim().split("\\s+"))
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** conf/config.yaml: loopback addresses, the ports, the shape and memory, then the caller's settings. */
    static Map<String, String> flinkConfig(
            ClusterOptions o, FlinkHome home, int restPort, int rpcPort, List<Integer> prometheus) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("env.java.opts.all", STOCK_JAVA_OPTS);
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("jobmanager.execution.failover-strategy", "region");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.host", "127.0.0.1");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", Integer.toString(restPort));
        c.put("taskmanager.numberOfTaskSlots", Integer.toString(o.slotsPerTaskManager));
        // A job's subtasks spread over the TaskManagers, as on a cluster of several hosts.
        c.put("taskmanager.load-balance.mode", "SLOTS");
        c.put("parallelism.default", "1");
        c.put("io.tmp.dirs", home.tmp.toString());
        c.put("web.tmpdir", home.tmp.resolve("web").toString());
        // Small processes for a 2-core machine shared with builds: see README, Memory.
        c.put("jobmanager.memory.process.size", o.jobManagerProcessSize);
        c.put("jobmanager.memory.jvm-metaspace.size", "160m");
        c.put("jobmanager.memory.jvm-overhead.min", "64m");
        c.put("jobmanager.memory.off-heap.size", "64m");
        c.put("taskmanager.memory.process.size", o.taskManagerProcessSize);
        c.put("taskmanager.memory.jvm-metaspace.size", "224m");
        c.put("taskmanager.memory.jvm-overhead.min", "96m");
        c.put("taskmanager.memory.framework.heap.size", "64m");
        c.put("taskmanager.memory.framework.off-heap.size", "64m");
        c.put("taskmanager.memory.network.min", "32m");
        c.put("taskmanager.memory.network.max", "64m");
        c.put("taskmanager.memory.managed.fraction", "0.25");
        putIfSet(c, "execution.checkpointing.dir", o.checkpointDir);
        putIfSet(c, "execution.checkpointing.savepoint-dir", o.savepointDir);
        putIfSet(c, "execution.checkpointing.interval", o.checkpointInterval);
        putIfSet(c, "state.backend.type", o.stateBackend);
        putIfSet(c, "restart-strategy.type", o.restartStrategy);
        if (!prometheus.isEmpty()) {
            c.put(
                    "metrics.reporter.prom.factory.class",
                    "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            c.put("metrics.reporter.prom.port", prometheus.get(0) + "-" + prometheus.get(prometheus.size() - 1));
        }
        c.putAll(o.config);
        return c;
    }

    private static void putIfSet(Map<String, String> c, String key, String value) {
        if (value != null) {
            c.put(key, value);
        }
    }
}
