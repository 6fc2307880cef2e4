package io.redpacket.settlement;

import io.redpacket.io.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the settlement job is configured with, parsed once (by {@link SettlementCli}) into this typed
 * value. Hosts, ports, paths and topic names come only from here.
 */
public record SettlementConfig(
        Path variantDir,
        String bootstrapServers,
        Path outDir,
        Path indexDir,
        Path passwordFile,
        TopicNames topics,
        String groupId,
        String transactionalIdPrefix,
        Map<String, Long> channelLimits,
        long defaultChannelLimit,
        int parallelism,
        Duration checkpointInterval,
        Path checkpointDir,
        boolean rocksDb,
        String restoreFrom,
        Duration maxTokenAge,
        Duration retentionGrace,
        Duration outOfOrderness,
        Integer prometheusPort,
        int[] initialBlacklist,
        boolean fromEarliest,
        String restartStrategy) {

    public record TopicNames(String opens, String credits, String rejects, String metrics, String control) {
        public static TopicNames defaults() {
            return new TopicNames(Topics.OPENS, Topics.CREDITS, Topics.REJECTS, Topics.METRICS, Topics.CONTROL);
        }
    }

    public Path openLogDir() {
        return outDir.resolve(io.redpacket.io.CampaignLayout.OPEN_LOG);
    }

    public Path creditLogDir() {
        return outDir.resolve(io.redpacket.io.CampaignLayout.CREDIT_LOG);
    }

    public Path rejectLogDir() {
        return outDir.resolve(io.redpacket.io.CampaignLayout.REJECT_LOG);
    }

    /** The part the operators need at run time. */
    public Settings settings(Campaign campaign) {
        return new Settings(
                variantDir.toAbsolutePath().toString(),
                indexDir.toAbsolutePath().toString(),
                passwordFile == null ? null : passwordFile.toAbsolutePath().toString(),
                maxTokenAge.toMillis(),
                initialBlacklist.clone(),
                io.redpacket.settlement.rules.Retention.retainUntil(campaign.endMs(), retentionGrace.toMillis()),
                Map.copyOf(channelLimits),
                defaultChannelLimit,
                parallelism);
    }
}
