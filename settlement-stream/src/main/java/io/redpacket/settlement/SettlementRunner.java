package io.redpacket.settlement;

import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.LiveFlag;
import io.redpacket.avro.LiveMetric;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.settlement.io.EnvelopeFileFormat;
import io.redpacket.settlement.io.KafkaIo;
import io.redpacket.settlement.io.ParquetLogs;
import io.redpacket.settlement.io.ShortCheckpointRocksDBOptions;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Wires the production sources and sinks and the Flink environment from a {@link SettlementConfig}. Only what
 * the config sets is passed to Flink, so on a cluster its {@code config.yaml} decides checkpoint storage, state
 * backend, restart strategy, parallelism and metric reporters unless an option says otherwise. What settlement
 * needs to be correct is always set: exactly-once checkpoints (at the config's interval, else the cluster's,
 * else {@link SettlementConfig#DEFAULT_CHECKPOINT_INTERVAL}) that continue once the record loader finished.
 */
public final class SettlementRunner {
    private SettlementRunner() {}

    public static SettlementJob.Io productionIo(SettlementConfig c, Campaign campaign, Settings settings) {
        SettlementConfig.TopicNames t = c.topics();
        String kafka = c.bootstrapServers();
        return new SettlementJob.Io(
                KafkaIo.opens(kafka, t.opens(), c.groupId(), c.fromEarliest()),
                EnvelopeFileFormat.source(campaign.envelopeFiles(), settings),
                KafkaIo.control(kafka, t.control(), c.groupId() + "-control"),
                KafkaIo.exactlyOnce(
                        kafka,
                        t.credits(),
                        c.transactionalIdPrefix() + "-credits",
                        ci -> Long.toString(ci.getEnvelopeId()),
                        CreditInstruction.class),
                KafkaIo.exactlyOnce(
                        kafka,
                        t.credits(),
                        c.transactionalIdPrefix() + "-credits-shaped",
                        ci -> Long.toString(ci.getEnvelopeId()),
                        CreditInstruction.class),
                KafkaIo.exactlyOnce(
                        kafka,
                        t.rejects(),
                        c.transactionalIdPrefix() + "-rejects",
                        RejectedOpen::getOpenEventId,
                        RejectedOpen.class),
                KafkaIo.atLeastOnce(kafka, t.metrics(), LiveMetric::getSource, LiveMetric.class),
                ParquetLogs.sink(c.openLogDir().toString(), OpenEvent.class, OpenEvent::getOpenTimeMs),
                ParquetLogs.sink(
                        c.creditLogDir().toString(), CreditInstruction.class, CreditInstruction::getOpenTimeMs),
                ParquetLogs.sink(
                        c.creditLogDir().toString(), CreditInstruction.class, CreditInstruction::getOpenTimeMs),
                ParquetLogs.sink(c.rejectLogDir().toString(), RejectedOpen.class, RejectedOpen::getOpenTimeMs),
                t.flags() == null
                        ? new DiscardingSink<>()
                        : KafkaIo.atLeastOnce(kafka, t.flags(), LiveFlag::getSubject, LiveFlag.class),
                ParquetLogs.sink(c.flagLogDir().toString(), LiveFlag.class, LiveFlag::getLastSeenMs));
    }

    /** The Flink options the config sets explicitly, and those settlement always needs. */
    public static Configuration jobConfiguration(SettlementConfig c) {
        Map<String, String> m = new HashMap<>();
        // Correctness, not tuning: credits are exactly once only with exactly-once checkpoints, and checkpoints
        // must go on after the bounded record loader has finished (so a restore does not load again).
        m.put("execution.checkpointing.mode", CheckpointingMode.EXACTLY_ONCE.name());
        m.put("execution.checkpointing.checkpoints-after-tasks-finish", "true");
        if (c.parallelism() != null) {
            m.put("parallelism.default", c.parallelism().toString());
        }
        if (c.checkpointInterval() != null) {
            m.put("execution.checkpointing.interval", c.checkpointInterval().toMillis() + " ms");
        }
        if (c.checkpointDir() != null) {
            m.put("execution.checkpointing.dir", c.checkpointDir().toString());
        }
        if (c.stateBackend() != null) {
            m.put("state.backend.type", c.stateBackend());
            m.put(
                    "execution.checkpointing.incremental",
                    Boolean.toString(c.stateBackend().equals(SettlementConfig.ROCKSDB)));
            if (c.stateBackend().equals(SettlementConfig.ROCKSDB)) {
                // every open is a point lookup in a store of every envelope: a bloom filter per SST file spares the
                // reads of the files and levels that do not hold the key (on a cluster, its config.yaml decides)
                m.put("state.backend.rocksdb.use-bloom-filter", "true");
                // credits become visible when a checkpoint completes, and each checkpoint flushes every memtable into
                // level 0: without this a flush waits for compaction inside the checkpoint (measured: the live device
                // flag's sync part 0.7-2.2 s, credit p99 3.3 s at 10k opens/s; with it 88 ms and 699 ms)
                m.put("state.backend.rocksdb.options-factory", ShortCheckpointRocksDBOptions.class.getName());
            }
        }
        if (c.restartStrategy() != null) {
            m.put("restart-strategy.type", c.restartStrategy());
            if (c.restartStrategy().equals("fixed-delay")) {
                m.put("restart-strategy.fixed-delay.attempts", "10");
                m.put("restart-strategy.fixed-delay.delay", "2 s");
            }
        }
        if (c.restoreFrom() != null) {
            m.put("execution.state-recovery.path", c.restoreFrom());
        }
        if (c.prometheusPort() != null) {
            m.put(
                    "metrics.reporter.prom.factory.class",
                    "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            m.put("metrics.reporter.prom.port", c.prometheusPort());
        }
        return Configuration.fromMap(m);
    }

    /** True under {@code flink run} (a cluster's context environment), false for a local mini cluster. */
    public static boolean onCluster() {
        return !(StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment);
    }

    /** With extra Flink options on top of the job's own (e.g. the local web UI's port). */
    public static StreamExecutionEnvironment environment(SettlementConfig c, Map<String, String> extra) {
        Configuration conf = jobConfiguration(c);
        conf.addAll(Configuration.fromMap(extra));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        ReadableConfig effective = env.getConfiguration();
        if (!effective.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).isPresent()) {
            env.enableCheckpointing(
                    SettlementConfig.DEFAULT_CHECKPOINT_INTERVAL.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        }
        if (!effective
                .getOptional(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION)
                .isPresent()) {
            // so that a cancelled job can be restored from its last checkpoint, unless the cluster says otherwise
            env.getCheckpointConfig()
                    .setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        // No function keeps or changes its input after emitting it, so chained operators can share records
        // instead of deep-copying every Avro record for each chained output (measured: the largest Avro cost).
        // Set on the job's ExecutionConfig: the Configuration entry alone did not reach the local executor.
        env.getConfig().enableObjectReuse();
        return env;
    }

    public static SettlementJob job(SettlementConfig c, Campaign campaign, int parallelism) {
        Settings settings = c.settings(campaign, parallelism);
        return new SettlementJob(
                productionIo(c, campaign, settings),
                settings,
                c.outOfOrderness(),
                1000,
                c.deviceSharing(),
                c.holdFlagged());
    }

    /** Builds the job into {@code env}: the campaign is read (and checked) here, on the client. */
    public static void build(SettlementConfig c, StreamExecutionEnvironment env) throws Exception {
        Campaign campaign = Campaign.open(c.variantDir());
        job(c, campaign, env.getParallelism()).build(env);
    }

    /** Submits the job to a local mini cluster with the local defaults and returns at once (tests, benchmarks). */
    public static JobClient start(SettlementConfig config) throws Exception {
        return start(config, Map.of());
    }

    /** {@link #start(SettlementConfig)} with more Flink options for the mini cluster (e.g. {@link #webUi}). */
    public static JobClient start(SettlementConfig config, Map<String, String> extra) throws Exception {
        SettlementConfig c = config.withLocalDefaults();
        StreamExecutionEnvironment env = environment(c, localMiniCluster(extra));
        build(c, env);
        return env.executeAsync(jobName(c));
    }

    /**
     * What a local mini cluster gets unless {@code extra} says otherwise (a cluster's own config.yaml decides there).
     * Flink's local default of 128 MB managed memory, shared by every RocksDB instance of a slot (record store, caps,
     * device flags, shaper), leaves the record store's point lookups missing the block cache: on 1.1 M records the
     * claim step cost 104 us per open with 128 MB and 10 us with 1 GB (settlement benchmark, README). RocksDB takes
     * it as it fills its cache and memtables, not up front.
     */
    public static Map<String, String> localMiniCluster(Map<String, String> extra) {
        Map<String, String> options = new HashMap<>();
        options.put("taskmanager.memory.managed.size", "1g");
        options.putAll(extra);
        return options;
    }

    /** A local run's web UI and REST API on {@code port}, on the loopback interface only. */
    public static Map<String, String> webUi(int port) {
        return Map.of("rest.port", String.valueOf(port), "rest.bind-address", "127.0.0.1", "rest.address", "127.0.0.1");
    }

    public static String jobName(SettlementConfig c) {
        return "redpacket settlement " + io.redpacket.io.Locations.fileName(c.variantDir());
    }
}
