package io.redpacket.flinkcluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs a {@link LocalFlinkCluster} as a process of its own (for the campaign runner and for people): starts it,
 * writes {@code cluster.properties} (REST URL, conf dir, bin/flink, process ids) into the work directory, prints where
 * things are, and keeps the cluster up until this process is stopped (SIGTERM or Ctrl-C stop the cluster too) or a
 * cluster process dies (exit 1). Exit codes: 0 stopped, 1 failure, 2 bad options.
 */
@Command(
        name = "flink-local",
        mixinStandardHelpOptions = true,
        description = "Start a Flink session cluster (a JobManager and N TaskManagers, each its own JVM) on 127.0.0.1.")
public final class LocalFlinkClusterCli implements Callable<Integer> {
    @Option(
            names = "--work-dir",
            required = true,
            description = "Directory of the installation, config, logs and temporary files.")
    Path workDir;

    @Option(
            names = "--task-managers",
            defaultValue = "2",
            description = "Number of TaskManagers (default ${DEFAULT-VALUE}).")
    int taskManagers;

    @Option(names = "--slots", defaultValue = "2", description = "Slots per TaskManager (default ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--rest-port", defaultValue = "0", description = "REST API and web UI port; 0 picks a free one.")
    int restPort;

    @Option(names = "--rpc-port", defaultValue = "0", description = "JobManager RPC port; 0 picks a free one.")
    int rpcPort;

    @Option(
            names = "--prometheus-port",
            description = "First port of the Prometheus reporter (one per process); off when absent.")
    Integer prometheusPort;

    @Option(names = "--checkpoint-dir", description = "execution.checkpointing.dir (a URI).")
    String checkpointDir;

    @Option(names = "--savepoint-dir", description = "execution.checkpointing.savepoint-dir (a URI).")
    String savepointDir;

    @Option(names = "--checkpoint-interval", description = "execution.checkpointing.interval, e.g. 10s.")
    String checkpointInterval;

    @Option(names = "--state-backend", description = "state.backend.type: hashmap, rocksdb or forst.")
    String stateBackend;

    @Option(
            names = "--restart-strategy",
            description = "restart-strategy.type: none, fixed-delay, failure-rate, exponential-delay.")
    String restartStrategy;

    @Option(
            names = "--hadoop-conf-dir",
            description = "Hadoop configuration directory (HADOOP_CONF_DIR) for hdfs:// paths.")
    Path hadoopConfDir;

    @Option(
            names = "--taskmanager-memory",
            defaultValue = "1024m",
            description = "taskmanager.memory.process.size (default ${DEFAULT-VALUE}).")
    String taskManagerMemory;

    @Option(
            names = "--jobmanager-memory",
            defaultValue = "512m",
            description = "jobmanager.memory.process.size (default ${DEFAULT-VALUE}).")
    String jobManagerMemory;

    @Option(
            names = {"-D", "--set"},
            description = "Any other config.yaml setting, key=value (repeatable).")
    Map<String, String> settings = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new LocalFlinkClusterCli()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ClusterOptions o = ClusterOptions.defaults()
                .taskManagers(taskManagers)
                .slotsPerTaskManager(slots)
                .restPort(restPort)
                .jobManagerRpcPort(rpcPort)
                .checkpointDir(checkpointDir)
                .savepointDir(savepointDir)
                .checkpointInterval(checkpointInterval)
                .stateBackend(stateBackend)
                .restartStrategy(restartStrategy)
                .hadoopConfDir(hadoopConfDir)
                .taskManagerProcessSize(taskManagerMemory)
                .jobManagerProcessSize(jobManagerMemory);
        if (prometheusPort != null) {
            o.prometheusPort(prometheusPort);
        }
        settings.forEach(o::set);
        long t0 = System.nanoTime();
        try (LocalFlinkCluster cluster = LocalFlinkCluster.start(workDir, o)) {
            writeProperties(cluster);
            System.out.printf(
                    "Flink session cluster up in %.1f s: %d TaskManagers x %d slots%n",
                    (System.nanoTime() - t0) / 1e9, taskManagers, slots);
            System.out.println("  REST API and web UI  " + cluster.restUrl());
            System.out.println("  FLINK_CONF_DIR       " + cluster.configDir());
            System.out.println("  flink command line   " + cluster.flinkScript());
            System.out.println("  logs                 " + cluster.logDir());
            if (!cluster.prometheusPorts().isEmpty()) {
                System.out.println("  Prometheus ports     " + cluster.prometheusPorts());
            }
            System.out.flush();
            while (cluster.isRunning()) {
                Thread.sleep(1000);
            }
            System.err.println("a Flink cluster process ended unexpectedly; logs in " + cluster.logDir());
            return 1;
        }
    }

    private static void writeProperties(LocalFlinkCluster cluster) throws IOException {
        StringBuilder s = new StringBuilder("# Written by LocalFlinkClusterCli once the cluster is up.\n");
        s.append("rest.url=").append(cluster.restUrl()).append('\n');
        s.append("conf.dir=").append(cluster.configDir()).append('\n');
        s.append("flink.script=").append(cluster.flinkScript()).append('\n');
        s.append("log.dir=").append(cluster.logDir()).append('\n');
        s.append("pids=")
                .append(String.join(
                        ",", cluster.pids().stream().map(String::valueOf).toList()))
                .append('\n');
        FlinkHome.writeAtomically(cluster.home().resolve("cluster.properties"), s.toString());
    }
}
