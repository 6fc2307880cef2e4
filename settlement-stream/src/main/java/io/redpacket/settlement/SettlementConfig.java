package io.redpacket.settlement;

import io.redpacket.io.CampaignLayout;
import io.redpacket.io.Locations;
import io.redpacket.io.Topics;
import io.redpacket.settlement.rules.DeviceSharing;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the settlement job is configured with, parsed once (by {@link SettlementCli}) into this typed
 * value. Hosts, ports, locations and topic names come only from here. Locations are URIs (any file system
 * Flink is configured for). A null Flink setting means "not given": on a cluster the cluster's own
 * configuration then applies; {@link #withLocalDefaults()} fills them for a local run.
 */
public record SettlementConfig(
        URI variantDir,
        String bootstrapServers,
        URI outDir,
        URI passwordFile,
        TopicNames topics,
        String groupId,
        String transactionalIdPrefix,
        Map<String, Long> channelLimits,
        long defaultChannelLimit,
        Integer parallelism,
        Duration checkpointInterval,
        URI checkpointDir,
        String stateBackend,
        String restartStrategy,
        String restoreFrom,
        Duration maxTokenAge,
        Duration retentionGrace,
        Duration outOfOrderness,
        String prometheusPort,
        int[] initialBlacklist,
        boolean fromEarliest,
        DeviceSharing deviceSharing,
        boolean holdFlagged) {

    /** Exactly-once credits need checkpoints: this interval applies when neither an option nor the cluster sets one. */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(2);

    public static final String ROCKSDB = "rocksdb";
    public static final String HASHMAP = "hashmap";

    public record TopicNames(
            String opens, String credits, String rejects, String metrics, String control, String flags) {
        public static TopicNames defaults() {
            return new TopicNames(
                    Topics.OPENS, Topics.CREDITS, Topics.REJECTS, Topics.METRICS, Topics.CONTROL, Topics.FLAGS);
        }
    }

    public static Builder builder(URI variantDir, String bootstrapServers, URI outDir) {
        return new Builder(variantDir, bootstrapServers, outDir);
    }

    /**
     * The settings of a run on a local mini cluster, where there is no cluster configuration: checkpoints under
     * {@code <out>/.checkpoints}, RocksDB, a fixed-delay restart strategy and parallelism 2, unless given.
     */
    public SettlementConfig withLocalDefaults() {
        return new SettlementConfig(
                variantDir,
                bootstrapServers,
                outDir,
                passwordFile,
                topics,
                groupId,
                transactionalIdPrefix,
                channelLimits,
                defaultChannelLimit,
                parallelism != null ? parallelism : 2,
                checkpointInterval != null ? checkpointInterval : DEFAULT_CHECKPOINT_INTERVAL,
                checkpointDir != null ? checkpointDir : localCheckpointDir(outDir),
                stateBackend != null ? stateBackend : ROCKSDB,
                restartStrategy != null ? restartStrategy : "fixed-delay",
                restoreFrom,
                maxTokenAge,
                retentionGrace,
                outOfOrderness,
                prometheusPort,
                initialBlacklist,
                fromEarliest,
                deviceSharing,
                holdFlagged);
    }

    /** Where local runs keep their checkpoints (the campaign runner restores from here). */
    public static URI localCheckpointDir(URI outDir) {
        return Locations.child(outDir, ".checkpoints");
    }

    public URI openLogDir() {
        return Locations.child(outDir, CampaignLayout.OPEN_LOG);
    }

    public URI creditLogDir() {
        return Locations.child(outDir, CampaignLayout.CREDIT_LOG);
    }

    public URI rejectLogDir() {
        return Locations.child(outDir, CampaignLayout.REJECT_LOG);
    }

    public URI flagLogDir() {
        return Locations.child(outDir, CampaignLayout.FLAG_LOG);
    }

    /** The part the operators need at run time. */
    public Settings settings(Campaign campaign, int effectiveParallelism) {
        return new Settings(
                variantDir.toString(),
                passwordFile == null ? null : passwordFile.toString(),
                maxTokenAge.toMillis(),
                initialBlacklist.clone(),
                io.redpacket.settlement.rules.Retention.retainUntil(campaign.endMs(), retentionGrace.toMillis()),
                Map.copyOf(channelLimits),
                defaultChannelLimit,
                effectiveParallelism,
                campaign.variant().firstEnvelopeId());
    }

    /** Builds a config with the command line's defaults (tests, benchmarks). */
    public static final class Builder {
        private final URI variantDir;
        private final String bootstrapServers;
        private final URI outDir;
        private URI passwordFile;
        private TopicNames topics = TopicNames.defaults();
        private String groupId = "redpacket-settlement";
        private String transactionalIdPrefix = "redpacket-settlement";
        private Map<String, Long> channelLimits = Map.of();
        private long defaultChannelLimit;
        private Integer parallelism;
        private Duration checkpointInterval;
        private URI checkpointDir;
        private String stateBackend;
        private String restartStrategy;
        private String restoreFrom;
        private Duration maxTokenAge = Duration.ofMinutes(10);
        private Duration retentionGrace = Duration.ofHours(24);
        private Duration outOfOrderness = Duration.ofSeconds(5);
        private String prometheusPort;
        private int[] initialBlacklist = new int[0];
        private boolean fromEarliest;
        private DeviceSharing deviceSharing = DeviceSharing.DEFAULT;
        private boolean holdFlagged;

        private Builder(URI variantDir, String bootstrapServers, URI outDir) {
            this.variantDir = variantDir;
            this.bootstrapServers = bootstrapServers;
            this.outDir = outDir;
        }

        public Builder passwordFile(URI v) {
            passwordFile = v;
            return this;
        }

        public Builder topics(TopicNames v) {
            topics = v;
            return this;
        }
        /** Consumer group of the opens; the transactional id prefix too, unless set. */
        public Builder groupId(String v) {
            groupId = v;
            transactionalIdPrefix = v;
            return this;
        }

        public Builder transactionalIdPrefix(String v) {
            transactionalIdPrefix = v;
            return this;
        }

        public Builder channelLimits(Map<String, Long> v) {
            channelLimits = Map.copyOf(v);
            return this;
        }

        public Builder defaultChannelLimit(long v) {
            defaultChannelLimit = v;
            return this;
        }

        public Builder parallelism(Integer v) {
            parallelism = v;
            return this;
        }

        public Builder checkpointInterval(Duration v) {
            checkpointInterval = v;
            return this;
        }

        public Builder checkpointDir(URI v) {
            checkpointDir = v;
            return this;
        }

        public Builder stateBackend(String v) {
            stateBackend = v;
            return this;
        }

        public Builder restartStrategy(String v) {
            restartStrategy = v;
            return this;
        }

        public Builder restoreFrom(String v) {
            restoreFrom = v;
            return this;
        }

        public Builder maxTokenAge(Duration v) {
            maxTokenAge = v;
            return this;
        }

        public Builder retentionGrace(Duration v) {
            retentionGrace = v;
            return this;
        }

        public Builder outOfOrderness(Duration v) {
            outOfOrderness = v;
            return this;
        }

        public Builder prometheusPort(String v) {
            prometheusPort = v;
            return this;
        }

        public Builder initialBlacklist(int... v) {
            initialBlacklist = v.clone();
            return this;
        }

        public Builder fromEarliest(boolean v) {
            fromEarliest = v;
            return this;
        }

        public Builder deviceSharing(DeviceSharing v) {
            deviceSharing = v;
            return this;
        }

        public Builder holdFlagged(boolean v) {
            holdFlagged = v;
            return this;
        }

        public SettlementConfig build() {
            return new SettlementConfig(
                    variantDir,
                    bootstrapServers,
                    outDir,
                    passwordFile,
                    topics,
                    groupId,
                    transactionalIdPrefix,
                    channelLimits,
                    defaultChannelLimit,
                    parallelism,
                    checkpointInterval,
                    checkpointDir,
                    stateBackend,
                    restartStrategy,
                    restoreFrom,
                    maxTokenAge,
                    retentionGrace,
                    outOfOrderness,
                    prometheusPort,
                    initialBlacklist,
                    fromEarliest,
                    deviceSharing,
                    holdFlagged);
        }
    }
}
