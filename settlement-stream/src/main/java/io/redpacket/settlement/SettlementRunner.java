package io.redpacket.settlement;

import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.LiveMetric;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.settlement.io.KafkaIo;
import io.redpacket.settlement.io.ParquetLogs;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Wires the production sources and sinks and the Flink environment from a {@link SettlementConfig}. */
public final class SettlementRunner {
    private SettlementRunner() {}

    public static SettlementJob.Io productionIo(SettlementConfig c) {
        SettlementConfig.TopicNames t = c.topics();
        String kafka = c.bootstrapServers();
        return new SettlementJob.Io(
                KafkaIo.opens(kafka, t.opens(), c.groupId(), c.fromEarliest()),
                KafkaIo.control(kafka, t.control(), c.groupId() + "-control"),
                KafkaIo.exactlyOnce(kafka, t.credits(), c.transactionalIdPrefix() + "-credits",
                        ci -> Long.toString(ci.getEnvelopeId()), CreditInstruction.class),
                KafkaIo.exactlyOnce(kafka, t.credits(), c.transactionalIdPrefix() + "-credits-shaped",
                        ci -> Long.toString(ci.getEnvelopeId()), CreditInstruction.class),
                KafkaIo.exactlyOnce(kafka, t.rejects(), c.transactionalIdPrefix() + "-rejects",
                        RejectedOpen::getOpenEventId, RejectedOpen.class),
                KafkaIo.atLeastOnce(kafka, t.metrics(), LiveMetric::getSource, LiveMetric.class),
                ParquetLogs.sink(c.openLogDir().toUri().toString(), OpenEvent.class, OpenEvent::getOpenTimeMs),
                ParquetLogs.sink(c.creditLogDir().toUri().toString(), CreditInstruction.class, CreditInstruction::getOpenTimeMs),
                ParquetLogs.sink(c.creditLogDir().toUri().toString(), CreditInstruction.class, CreditInstruction::getOpenTimeMs),
                ParquetLogs.sink(c.rejectLogDir().toUri().toString(), RejectedOpen.class, RejectedOpen::getOpenTimeMs));
    }

    /** Flink settings from the config: checkpointing, state backend, restore path, restart strategy, reporter. */
    public static Configuration flinkConfiguration(SettlementConfig c) {
        Map<String, String> m = new HashMap<>();
        m.put("parallelism.default", Integer.toString(c.parallelism()));
        m.put("state.backend.type", c.rocksDb() ? "rocksdb" : "hashmap");
        m.put("execution.checkpointing.incremental", Boolean.toString(c.rocksDb()));
        m.put("execution.checkpointing.dir", c.checkpointDir().toAbsolutePath().toUri().toString());
        m.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        m.put("execution.checkpointing.num-retained", "3");
        m.put("restart-strategy.type", c.restartStrategy());
        if (c.restartStrategy().equals("fixed-delay")) {
            m.put("restart-strategy.fixed-delay.attempts", "10");
            m.put("restart-strategy.fixed-delay.delay", "2 s");
        }
        if (c.restoreFrom() != null) {
            m.put("execution.state-recovery.path", c.restoreFrom());
        }
        if (c.prometheusPort() != null) {
            m.put("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            m.put("metrics.reporter.prom.port", c.prometheusPort().toString());
        }
        // Avro 1.12 deserializes generated classes only from allowed packages (VERSIONS.md).
        m.put("env.java.opts.all", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.redpacket.avro");
        return Configuration.fromMap(m);
    }

    public static StreamExecutionEnvironment environment(SettlementConfig c) {
        return environment(c, Map.of());
    }

    /** With extra Flink options on top of the job's own (e.g. the local web UI's port). */
    public static StreamExecutionEnvironment environment(SettlementConfig c, Map<String, String> extra) {
        Configuration conf = flinkConfiguration(c);
        conf.addAll(Configuration.fromMap(extra));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(c.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        // No function keeps or changes its input after emitting it, so chained operators can share records
        // instead of deep-copying every Avro record for each chained output (measured: the largest Avro cost).
        // Set on the job's ExecutionConfig: the Configuration entry alone did not reach the local executor.
        env.getConfig().enableObjectReuse();
        return env;
    }

    public static SettlementJob job(SettlementConfig c, Campaign campaign) {
        return new SettlementJob(productionIo(c), c.settings(campaign), c.outOfOrderness(), 1000);
    }

    /** Submits the job and returns at once (tests, benchmarks). */
    public static JobClient start(SettlementConfig c) throws Exception {
        Campaign campaign = Campaign.load(c.variantDir());
        StreamExecutionEnvironment env = environment(c);
        job(c, campaign).build(env);
        return env.executeAsync("redpacket settlement " + c.variantDir().getFileName());
    }
}
