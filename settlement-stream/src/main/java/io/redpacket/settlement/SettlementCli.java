package io.redpacket.settlement;

import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.io.CampaignLayout;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.KeyStorePassword;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code redpacket settle}: runs the settlement job, on a local mini cluster unless submitted with {@code flink run}. */
@Command(name = "redpacket", mixinStandardHelpOptions = true, subcommands = SettlementCli.Settle.class,
        description = "Settlement of opened envelopes (Flink).")
public final class SettlementCli {
    public static void main(String[] args) {
        // `flink run job.jar --campaign ...` passes no subcommand name; the launcher passes `settle ...`.
        String[] argv = args.length > 0 && !args[0].equals("settle") && args[0].startsWith("--") && !args[0].equals("--help")
                && !args[0].equals("--version") ? prepend("settle", args) : args;
        System.exit(CommandLines.execute(new SettlementCli(), argv));
    }

    private static String[] prepend(String first, String[] rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    @Command(name = "settle", mixinStandardHelpOptions = true,
            description = {"Verify, dedupe, cap and credit open events exactly once; write the Parquet logs and live metrics.",
                    "Key store password: --password-file or env REDPACKET_KEYSTORE_PASSWORD."})
    static final class Settle implements Callable<Integer> {
        @Option(names = "--campaign", required = true, description = "Generation output of the variant (batches.avro, manifests.avro, envelopes/, keys/).")
        Path campaign;
        @Option(names = "--kafka", required = true, description = "Kafka bootstrap servers.")
        String kafka;
        @Option(names = "--out", required = true, description = "Settlement log directory (opens/, credits/, rejects/ as Parquet).")
        Path out;
        @Option(names = "--password-file", description = "File whose first line is the key store password.")
        Path passwordFile;
        @Option(names = "--index-dir", description = "Where the envelope record index is built and reused (default <out>/.record-index).")
        Path indexDir;
        @Option(names = "--checkpoint-dir", description = "Checkpoint storage (default <out>/.checkpoints).")
        Path checkpointDir;
        @Option(names = "--checkpoint-interval", defaultValue = "PT2S", description = "ISO-8601 duration, default ${DEFAULT-VALUE}.")
        Duration checkpointInterval;
        @Option(names = "--channel-limit", description = "Credits per second of a channel, e.g. coupon-a=2000 (repeatable).")
        Map<String, Long> channelLimits = new LinkedHashMap<>();
        @Option(names = "--default-channel-limit", defaultValue = "0", description = "Limit of channels not listed; 0 = unshaped (default).")
        long defaultChannelLimit;
        @Option(names = "--parallelism", defaultValue = "2")
        int parallelism;
        @Option(names = "--state-backend", defaultValue = "rocksdb",
                description = "rocksdb (incremental checkpoints; default: state grows with every envelope) or heap (small campaigns, tests).")
        String stateBackend;
        @Option(names = "--from-savepoint", description = "Savepoint or retained checkpoint to start from.")
        String restoreFrom;
        @Option(names = "--max-token-age", defaultValue = "PT10M", description = "Oldest shake an open is accepted for, default ${DEFAULT-VALUE}.")
        Duration maxTokenAge;
        @Option(names = "--retention-grace", defaultValue = "PT24H", description = "How long after the campaign's end state is kept, default ${DEFAULT-VALUE}.")
        Duration retentionGrace;
        @Option(names = "--out-of-orderness", defaultValue = "PT5S")
        Duration outOfOrderness;
        @Option(names = "--prometheus-port", description = "Expose Flink metrics for Prometheus on this port (range allowed, e.g. 9250-9260).")
        Integer prometheusPort;
        @Option(names = "--web-ui-port", description = "Local runs: serve the Flink web UI on http://127.0.0.1:<port>.")
        Integer webUiPort;
        @Option(names = "--blacklist", split = ",", description = "Key ids blocked from the start (more via the control topic).")
        int[] blacklist = new int[0];
        @Option(names = "--group-id", defaultValue = "redpacket-settlement")
        String groupId;
        @Option(names = "--transactional-id-prefix", defaultValue = "redpacket-settlement")
        String transactionalIdPrefix;
        @Option(names = "--from-earliest", description = "Read the opens topic from its start instead of the committed offsets.")
        boolean fromEarliest;
        @Option(names = "--topic-opens", defaultValue = io.redpacket.io.Topics.OPENS) String topicOpens;
        @Option(names = "--topic-credits", defaultValue = io.redpacket.io.Topics.CREDITS) String topicCredits;
        @Option(names = "--topic-rejects", defaultValue = io.redpacket.io.Topics.REJECTS) String topicRejects;
        @Option(names = "--topic-metrics", defaultValue = io.redpacket.io.Topics.METRICS) String topicMetrics;
        @Option(names = "--topic-control", defaultValue = io.redpacket.io.Topics.CONTROL) String topicControl;

        @Override
        public Integer call() throws Exception {
            SettlementConfig config = config();
            checkKeyStore(config);
            Campaign c = Campaign.load(config.variantDir());
            StreamExecutionEnvironment env = SettlementRunner.environment(config, webUiPort == null ? Map.of()
                    : Map.of("rest.port", webUiPort.toString(), "rest.bind-address", "127.0.0.1", "rest.address", "127.0.0.1"));
            SettlementRunner.job(config, c).build(env);
            env.execute("redpacket settlement " + config.variantDir().getFileName());
            return CommandLines.OK;
        }

        /** Fails fast with exit code 2 on a wrong password or damaged key store, instead of failing every task. */
        static void checkKeyStore(SettlementConfig config) throws BadInputException {
            try {
                char[] password = KeyStorePassword.resolve(config.passwordFile(), System.getenv());
                KeyRingStore.load(CampaignLayout.openRing(config.variantDir()), password);
                java.util.Arrays.fill(password, '\0');
            } catch (java.io.IOException e) {
                throw new BadInputException(e.getMessage());
            }
        }

        SettlementConfig config() throws BadInputException {
            List<String> problems = new ArrayList<>();
            for (String f : List.of(CampaignLayout.BATCHES, CampaignLayout.MANIFESTS, CampaignLayout.PLAN)) {
                if (!Files.isRegularFile(campaign.resolve(f))) {
                    problems.add(campaign.resolve(f) + ": --campaign: missing (not a generated variant directory?)");
                }
            }
            if (!Files.isRegularFile(CampaignLayout.openRing(campaign))) {
                problems.add(CampaignLayout.openRing(campaign) + ": --campaign: open key ring missing");
            }
            channelLimits.forEach((ch, l) -> {
                if (l < 0) {
                    problems.add("--channel-limit: " + ch + "=" + l + ": must be >= 0");
                }
            });
            if (!stateBackend.equals("rocksdb") && !stateBackend.equals("heap")) {
                problems.add("--state-backend: " + stateBackend + ": must be rocksdb or heap");
            }
            if (parallelism < 1) {
                problems.add("--parallelism: " + parallelism + ": must be >= 1");
            }
            if (!problems.isEmpty()) {
                throw new BadInputException(problems);
            }
            return new SettlementConfig(campaign, kafka, out,
                    indexDir != null ? indexDir : out.resolve(".record-index"), passwordFile,
                    new SettlementConfig.TopicNames(topicOpens, topicCredits, topicRejects, topicMetrics, topicControl),
                    groupId, transactionalIdPrefix, Map.copyOf(channelLimits), defaultChannelLimit, parallelism,
                    checkpointInterval, checkpointDir != null ? checkpointDir : out.resolve(".checkpoints"), stateBackend.equals("rocksdb"),
                    restoreFrom, maxTokenAge, retentionGrace, outOfOrderness, prometheusPort, blacklist, fromEarliest, "fixed-delay");
        }
    }
}
