package io.redpacket.flinkcluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The shape of a {@link LocalFlinkCluster} and the cluster-level Flink settings a test sets, as an operator would
 * write them into {@code conf/config.yaml}. Defaults fit this 2-core machine: one JobManager (512 MB process) and
 * two TaskManagers (1 GB process each) with two slots each. Unset settings are left to Flink's own defaults, so a job
 * sees exactly what a stock cluster with this file would give it.
 */
public final class ClusterOptions {
    int taskManagers = 2;
    int slotsPerTaskManager = 2;
    int restPort;
    int jobManagerRpcPort;
    String jobManagerProcessSize = "512m";
    String taskManagerProcessSize = "1024m";
    String checkpointDir;
    String savepointDir;
    String checkpointInterval;
    String stateBackend;
    String restartStrategy;
    Integer prometheusPort;
    Path hadoopConfDir;
    final Map<String, String> config = new LinkedHashMap<>();
    final List<String> jvmArgs = new ArrayList<>();
    final Map<String, String> environment = new LinkedHashMap<>();

    private ClusterOptions() {}

    public static ClusterOptions defaults() {
        return new ClusterOptions();
    }

    public ClusterOptions taskManagers(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("taskManagers must be at least 1, was " + n);
        }
        this.taskManagers = n;
        return this;
    }

    public ClusterOptions slotsPerTaskManager(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("slotsPerTaskManager must be at least 1, was " + n);
        }
        this.slotsPerTaskManager = n;
        return this;
    }

    /** REST API and web UI port on 127.0.0.1 (rest.port); 0 (default) picks a free one. */
    public ClusterOptions restPort(int port) {
        this.restPort = port;
        return this;
    }

    /** JobManager RPC port (jobmanager.rpc.port); 0 (default) picks a free one. TaskManagers bind ports of their own. */
    public ClusterOptions jobManagerRpcPort(int port) {
        this.jobManagerRpcPort = port;
        return this;
    }

    /** jobmanager.memory.process.size, e.g. "512m". */
    public ClusterOptions jobManagerProcessSize(String size) {
        this.jobManagerProcessSize = Objects.requireNonNull(size);
        return this;
    }

    /** taskmanager.memory.process.size, e.g. "1024m". */
    public ClusterOptions taskManagerProcessSize(String size) {
        this.taskManagerProcessSize = Objects.requireNonNull(size);
        return this;
    }

    /** execution.checkpointing.dir: where jobs checkpoint unless they say otherwise (a URI: file://, hdfs://). */
    public ClusterOptions checkpointDir(String uri) {
        this.checkpointDir = uri;
        return this;
    }

    /** execution.checkpointing.savepoint-dir: the default target of savepoints and stop-with-savepoint. */
    public ClusterOptions savepointDir(String uri) {
        this.savepointDir = uri;
        return this;
    }

    /** execution.checkpointing.interval, e.g. "2s": turns checkpointing on for every job that does not set it. */
    public ClusterOptions checkpointInterval(String interval) {
        this.checkpointInterval = interval;
        return this;
    }

    /** state.backend.type: hashmap, rocksdb or forst. */
    public ClusterOptions stateBackend(String type) {
        this.stateBackend = type;
        return this;
    }

    /** restart-strategy.type: none, fixed-delay, failure-rate or exponential-delay. */
    public ClusterOptions restartStrategy(String type) {
        this.restartStrategy = type;
        return this;
    }

    /**
     * Enables the Prometheus reporter (plugins/metrics-prometheus) on ports firstPort .. firstPort + taskManagers:
     * every process takes the first free one (in start-up order, so not always the JobManager first). 0 picks a free range.
     */
    public ClusterOptions prometheusPort(int firstPort) {
        this.prometheusPort = firstPort;
        return this;
    }

    /**
     * A Hadoop configuration directory (core-site.xml, hdfs-site.xml) for hdfs:// paths, handed to every process as
     * HADOOP_CONF_DIR and on the class path, as a stock cluster gets it.
     */
    public ClusterOptions hadoopConfDir(Path dir) {
        this.hadoopConfDir = dir;
        return this;
    }

    /**
     * A Hadoop setting for Flink's hdfs:// file system, written as {@code flink.hadoop.<key>} (Flink hands those to
     * Hadoop's Configuration), e.g. {@code hadoopSetting("fs.defaultFS", "hdfs://127.0.0.1:9000")}.
     */
    public ClusterOptions hadoopSetting(String key, String value) {
        return set("flink.hadoop." + key, value);
    }

    /** Any other config.yaml key (flattened form, e.g. "flink.hadoop.fs.defaultFS"); wins over the settings above. */
    public ClusterOptions set(String key, String value) {
        config.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
        return this;
    }

    /** Extra JVM flags for every cluster process (the JVM_ARGS of Flink's scripts); prefer env.java.opts.* via set. */
    public ClusterOptions jvmArg(String arg) {
        jvmArgs.add(Objects.requireNonNull(arg));
        return this;
    }

    /** An environment variable of every cluster process (not of the client: see {@link FlinkRun#env}). */
    public ClusterOptions env(String name, String value) {
        environment.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
        return this;
    }

    public int taskManagers() {
        return taskManagers;
    }

    public int slotsPerTaskManager() {
        return slotsPerTaskManager;
    }

    public Map<String, String> config() {
        return Collections.unmodifiableMap(config);
    }
}
