package io.redpacket.settlement;

import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.io.AvroTrust;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyStorePassword;
import io.redpacket.settlement.io.FlinkFileStore;
import io.redpacket.settlement.rules.DeviceSharing;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code redpacket settle}: runs the settlement job, on a local mini cluster, or on the cluster it is submitted
 * to with {@code flink run} (then the cluster's configuration applies wherever an option is not given).
 */
@Command(
        name = "redpacket",
        mixinStandardHelpOptions = true,
        subcommands = SettlementCli.Settle.class,
        description = "Settlement of opened envelopes (Flink).")
public final class SettlementCli {
    public static void main(String[] args) {
        AvroTrust.install();
        // `flink run job.jar --campaign ...` passes no subcommand name; the launcher passes `settle ...`.
        String[] argv = args.length > 0
                        && !args[0].equals("settle")
                        && args[0].startsWith("--")
                        && !args[0].equals("--help")
                        && !args[0].equals("--version")
                ? prepend("settle", args)
                : args;
        System.exit(CommandLines.execute(new SettlementCli(), argv));
    }

    private static String[] prepend(String first, String[] rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    @Command(
            name = "settle",
            mixinStandardHelpOptions = true,
            description = {
                "Verify, claim, cap and credit open events exactly once; write the Parquet logs and live metrics.",
                "Locations are URIs (hdfs://, s3a://, file://) or local paths, read through Flink's file systems.",
                "Key store password: --password-file (on any file system; read by the client and the TaskManagers)",
                "or env REDPACKET_KEYSTORE_PASSWORD (of the TaskManagers on a cluster). Never on the command line.",
                "On a cluster (flink run) options left out take the cluster's configuration; locally the defaults below apply."
            })
    static final class Settle implements Callable<Integer> {
        @Option(
                names = "--campaign",
                required = true,
                converter = Locations.Converter.class,
                description =
                        "Committed generation variant (_COMMITTED, batches.avro, manifests.avro, envelopes/, keys/).")
        URI campaign;

        @Option(names = "--kafka", required = true, description = "Kafka bootstrap servers.")
        String kafka;

        @Option(
                names = "--out",
                required = true,
                converter = Locations.Converter.class,
                description = "Settlement log directory (opens/, credits/, rejects/ as Parquet).")
        URI out;

        @Option(
                names = "--password-file",
                converter = Locations.Converter.class,
                description = "File whose first line is the key store password.")
        URI passwordFile;

        @Option(
                names = "--checkpoint-dir",
                converter = Locations.Converter.class,
                description =
                        "Checkpoint storage (cluster: execution.checkpointing.dir; local default <out>/.checkpoints).")
        URI checkpointDir;

        @Option(
                names = "--checkpoint-interval",
                description =
                        "ISO-8601 duration (cluster: execution.checkpointing.interval, else PT2S; local default PT2S).")
        Duration checkpointInterval;

        @Option(
                names = "--channel-limit",
                description = "Credits per second of a channel, e.g. coupon-a=2000 (repeatable).")
        Map<String, Long> channelLimits = new LinkedHashMap<>();

        @Option(
                names = "--default-channel-limit",
                defaultValue = "0",
                description = "Limit of channels not listed; 0 = unshaped (default).")
        long defaultChannelLimit;

        @Option(names = "--parallelism", description = "Cluster: parallelism.default or flink run -p; local default 2.")
        Integer parallelism;

        @Option(
                names = "--state-backend",
                description =
                        "rocksdb (incremental checkpoints; local default) or heap (small campaigns, tests); cluster: state.backend.type.")
        String stateBackend;

        @Option(
                names = "--from-savepoint",
                description = "Savepoint or retained checkpoint to start from (or flink run -s).")
        String restoreFrom;

        @Option(
                names = "--max-token-age",
                defaultValue = "PT10M",
                description = "Oldest shake an open is accepted for, default ${DEFAULT-VALUE}.")
        Duration maxTokenAge;

        @Option(
                names = "--retention-grace",
                defaultValue = "PT24H",
                description = "How long after the campaign's end state is kept, default ${DEFAULT-VALUE}.")
        Duration retentionGrace;

        @Option(names = "--out-of-orderness", defaultValue = "PT5S")
        Duration outOfOrderness;

        @Option(
                names = "--prometheus-port",
                description =
                        "Local runs only: expose Flink metrics for Prometheus on this port "
                                + "(range allowed, e.g. 9250-9260). On a cluster, reporters are the cluster's configuration (metrics.reporter.*).")
        String prometheusPort;

        @Option(
                names = "--web-ui-port",
                description = "Local runs only: serve the Flink web UI on http://127.0.0.1:<port>.")
        Integer webUiPort;

        @Option(
                names = "--blacklist",
                split = ",",
                description = "Key ids blocked from the start (more via the control topic).")
        int[] blacklist = new int[0];

        @Option(names = "--group-id", defaultValue = "redpacket-settlement")
        String groupId;

        @Option(names = "--transactional-id-prefix", defaultValue = "redpacket-settlement")
        String transactionalIdPrefix;

        @Option(
                names = "--from-earliest",
                description = "Read the opens topic from its start instead of the committed offsets.")
        boolean fromEarliest;

        @Option(names = "--topic-opens", defaultValue = io.redpacket.io.Topics.OPENS)
        String topicOpens;

        @Option(names = "--topic-credits", defaultValue = io.redpacket.io.Topics.CREDITS)
        String topicCredits;

        @Option(names = "--topic-rejects", defaultValue = io.redpacket.io.Topics.REJECTS)
        String topicRejects;

        @Option(names = "--topic-metrics", defaultValue = io.redpacket.io.Topics.METRICS)
        String topicMetrics;

        @Option(names = "--topic-control", defaultValue = io.redpacket.io.Topics.CONTROL)
        String topicControl;

        @Option(
                names = "--topic-flags",
                defaultValue = io.redpacket.io.Topics.FLAGS,
                description = "Live fraud flags (default ${DEFAULT-VALUE}); empty: flags go only to <out>/flags.")
        String topicFlags;

        @Option(
                names = "--flag-device-accounts",
                defaultValue = "4",
                description =
                        "Accounts on one device within the flag window that raise a live flag (default ${DEFAULT-VALUE}).")
        int flagDeviceAccounts;

        @Option(
                names = "--flag-window",
                defaultValue = "PT10M",
                description = "Event-time window of the live device flag, ISO-8601 (default ${DEFAULT-VALUE}).")
        Duration flagWindow;

        @Option(
                names = "--hold-flagged",
                description =
                        "Hold the credits of accounts a live flag names until review releases them (RELEASE_ACCOUNT) or confirms "
                                + "fraud (CONFIRM_FRAUD) on the control topic; held credits are pending to reconciliation. Default: flags hold nothing.")
        boolean holdFlagged;

        @Override
        public Integer call() throws Exception {
            boolean onCluster = SettlementRunner.onCluster();
            SettlementConfig config = config(onCluster);
            Campaign campaign = Campaign.open(config.variantDir());
            campaign.checkPublished();
            checkKeyStore(config, onCluster);
            Map<String, String> local = webUiPort == null ? Map.of() : SettlementRunner.webUi(webUiPort);
            StreamExecutionEnvironment env = SettlementRunner.environment(
                    config, onCluster ? Map.of() : SettlementRunner.localMiniCluster(local));
            SettlementRunner.job(config, campaign, Math.max(1, env.getParallelism()))
                    .build(env);
            env.execute(SettlementRunner.jobName(config));
            return CommandLines.OK;
        }

        /**
         * Fails fast with exit code 2 on a wrong password or damaged key store, instead of failing every task. On a
         * cluster whose TaskManagers hold the password in their environment the client may have none: then the
         * tasks check it.
         */
        static void checkKeyStore(SettlementConfig config, boolean onCluster) throws BadInputException {
            if (onCluster && config.passwordFile() == null && System.getenv(KeyStorePassword.ENV) == null) {
                System.err.println("settle: no key store password here (no --password-file, no " + KeyStorePassword.ENV
                        + "): the TaskManagers read it from their " + KeyStorePassword.ENV);
                return;
            }
            try {
                Campaign.openRing(config.variantDir(), config.passwordFile(), System.getenv());
            } catch (IOException e) {
                throw new BadInputException(e.getMessage());
            }
        }

        SettlementConfig config(boolean onCluster) throws BadInputException {
            List<String> problems = new ArrayList<>();
            checkScheme("--campaign", campaign, problems);
            checkScheme("--out", out, problems);
            checkScheme("--password-file", passwordFile, problems);
            checkScheme("--checkpoint-dir", checkpointDir, problems);
            channelLimits.forEach((ch, l) -> {
                if (l < 0) {
                    problems.add("--channel-limit: " + ch + "=" + l + ": must be >= 0");
                }
            });
            String backend = null;
            if (stateBackend != null) {
                switch (stateBackend) {
                    case "rocksdb" -> backend = SettlementConfig.ROCKSDB;
                    case "heap", "hashmap" -> backend = SettlementConfig.HASHMAP;
                    default -> problems.add("--state-backend: " + stateBackend + ": must be rocksdb or heap");
                }
            }
            if (parallelism != null && parallelism < 1) {
                problems.add("--parallelism: " + parallelism + ": must be >= 1");
            }
            if (onCluster && prometheusPort != null) {
                problems.add(
                        "--prometheus-port: only for local runs; on a cluster metric reporters are cluster configuration "
                                + "(metrics.reporter.prom.factory.class and metrics.reporter.prom.port in config.yaml, flink-metrics-prometheus in plugins/)");
            }
            if (onCluster && webUiPort != null) {
                problems.add("--web-ui-port: only for local runs; a cluster serves its own web UI (rest.port)");
            }
            if (flagDeviceAccounts < DeviceSharing.MIN_ACCOUNTS || flagDeviceAccounts > DeviceSharing.MAX_ACCOUNTS) {
                problems.add("--flag-device-accounts: " + flagDeviceAccounts + ": must be " + DeviceSharing.MIN_ACCOUNTS
                        + ".." + DeviceSharing.MAX_ACCOUNTS + " (one account per device is every honest phone)");
            }
            if (flagWindow.isNegative() || flagWindow.isZero()) {
                problems.add("--flag-window: " + flagWindow + ": must be positive");
            }
            if (!problems.isEmpty()) {
                throw new BadInputException(problems);
            }
            SettlementConfig c = SettlementConfig.builder(campaign, kafka, out)
                    .passwordFile(passwordFile)
                    .topics(new SettlementConfig.TopicNames(
                            topicOpens,
                            topicCredits,
                            topicRejects,
                            topicMetrics,
                            topicControl,
                            topicFlags.isBlank() ? null : topicFlags))
                    .groupId(groupId)
                    .transactionalIdPrefix(transactionalIdPrefix)
                    .channelLimits(channelLimits)
                    .defaultChannelLimit(defaultChannelLimit)
                    .parallelism(parallelism)
                    .checkpointInterval(checkpointInterval)
                    .checkpointDir(checkpointDir)
                    .stateBackend(backend)
                    .restoreFrom(restoreFrom)
                    .maxTokenAge(maxTokenAge)
                    .retentionGrace(retentionGrace)
                    .outOfOrderness(outOfOrderness)
                    .prometheusPort(prometheusPort)
                    .initialBlacklist(blacklist)
                    .fromEarliest(fromEarliest)
                    .deviceSharing(new DeviceSharing(flagDeviceAccounts, flagWindow.toMillis()))
                    .holdFlagged(holdFlagged)
                    .build();
            return onCluster ? c : c.withLocalDefaults();
        }

        private static void checkScheme(String option, URI location, List<String> problems) {
            if (location == null) {
                return;
            }
            try {
                FlinkFileStore.requireSupported(location);
            } catch (IllegalArgumentException e) {
                problems.add(option + ": " + e.getMessage());
            }
        }
    }
}
