package io.redpacket.dashboard;

import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/redpacket dashboard}: the live campaign dashboard with the operators' switches. */
@Command(
        name = "redpacket",
        mixinStandardHelpOptions = true,
        subcommands = {DashboardCli.Serve.class, DashboardCli.Review.class},
        description = "The live campaign dashboard.")
public final class DashboardCli implements Callable<Integer> {
    static final String OPERATOR_TOKENS_ENV = "REDPACKET_OPERATOR_TOKENS";

    public static void main(String[] args) {
        System.exit(CommandLines.execute(new DashboardCli(), args));
    }

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }

    @Command(
            name = "dashboard",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Serve the live campaign dashboard: opens, credits and dispensed per second, backlog",
                "per channel, open-to-credit latency, rejects by reason, final system failures, progress",
                "per sponsor and slot against the script, pushed to the page from the metrics topic.",
                "Operator switches (pause/resume dispensing, dispense rate, channel credit limit, key",
                "blacklist, countdown shift): confirmed in the page, authenticated with an operator token,",
                "published on the control topic (every edge and settlement apply it; the page shows which",
                "edges acknowledged it), written to the audit log.",
                "Operator tokens: --operator-token-file or " + OPERATOR_TOKENS_ENV
                        + " (lines name:token), never on the command line."
            })
    static final class Serve implements Callable<Integer> {
        @Option(names = "--kafka", required = true, description = "Kafka bootstrap servers.")
        String kafka;

        @Option(
                names = "--campaign",
                required = true,
                description = "Generation variant directory (plan.avro: the script).")
        Path campaign;

        @Option(
                names = "--host",
                defaultValue = "127.0.0.1",
                description = "Address to serve on (default ${DEFAULT-VALUE}).")
        String host;

        @Option(
                names = "--port",
                defaultValue = "8088",
                description = "Port (default ${DEFAULT-VALUE}; 0 = any free one).")
        int port;

        @Option(
                names = "--operator-token-file",
                description = "Operators' tokens, one 'name:token' per line (16+ characters).")
        Path operatorTokenFile;

        @Option(
                names = "--audit-log",
                defaultValue = "dashboard-audit.log",
                description = "Append-only audit log of switches (default ${DEFAULT-VALUE}).")
        Path auditLog;

        @Option(
                names = "--history-seconds",
                defaultValue = "300",
                description = "Seconds of history in the charts (default ${DEFAULT-VALUE}).")
        int historySeconds;

        @Option(
                names = "--push-interval-ms",
                defaultValue = "1000",
                description = "How often pages get new numbers (default ${DEFAULT-VALUE}).")
        long pushIntervalMs;

        @Option(
                names = "--metrics-topic",
                defaultValue = Topics.METRICS,
                description = "LiveMetric records (default ${DEFAULT-VALUE}).")
        String metricsTopic;

        @Option(
                names = "--control-topic",
                defaultValue = Topics.CONTROL,
                description = "ControlCommand records (default ${DEFAULT-VALUE}).")
        String controlTopic;

        @Override
        public Integer call() throws Exception {
            Dashboard.Config config = config(System.getenv());
            Dashboard dashboard;
            try {
                dashboard = Dashboard.start(config);
            } catch (java.net.BindException e) {
                throw new BadInputException("--port: " + port + " on " + host + ": " + e.getMessage());
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                dashboard.close();
                                stopped.countDown();
                            },
                            "dashboard-stop"));
            System.out.println("dashboard: http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":"
                    + dashboard.port() + "/"
                    + " (metrics from " + metricsTopic + "; switches "
                    + (config.operators().isEmpty()
                            ? "off: no operator token"
                            : "on for " + config.operators().size() + " operator(s), published on " + controlTopic)
                    + "; audit log " + dashboard.auditLog() + ")");
            System.out.flush();
            stopped.await();
            return CommandLines.OK;
        }

        Dashboard.Config config(Map<String, String> env) throws IOException, BadInputException {
            List<String> problems = new ArrayList<>();
            if (!Files.isDirectory(campaign)) {
                throw new NoSuchFileException(campaign.toString(), null, "campaign variant directory does not exist");
            }
            if (!Files.isRegularFile(campaign.resolve(CampaignLayout.PLAN))) {
                throw new NoSuchFileException(
                        campaign.resolve(CampaignLayout.PLAN).toString(),
                        null,
                        "no plan.avro: not a generation variant directory");
            }
            if (port < 0 || port > 65535) {
                problems.add("--port: " + port + " (allowed 0..65535)");
            }
            if (historySeconds < 10 || historySeconds > 86_400) {
                problems.add("--history-seconds: " + historySeconds + " (allowed 10..86400)");
            }
            if (pushIntervalMs < 100 || pushIntervalMs > 60_000) {
                problems.add("--push-interval-ms: " + pushIntervalMs + " (allowed 100..60000)");
            }
            OperatorTokens operators = OperatorTokens.none();
            try {
                if (operatorTokenFile != null) {
                    if (!Files.isRegularFile(operatorTokenFile)) {
                        throw new NoSuchFileException(
                                operatorTokenFile.toString(), null, "operator token file does not exist");
                    }
                    operators = OperatorTokens.parse(Files.readString(operatorTokenFile), operatorTokenFile.toString());
                } else if (env.get(OPERATOR_TOKENS_ENV) != null) {
                    operators = OperatorTokens.parse(env.get(OPERATOR_TOKENS_ENV), OPERATOR_TOKENS_ENV);
                }
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            if (!problems.isEmpty()) {
                throw new BadInputException(problems);
            }
            return new Dashboard.Config(
                    kafka,
                    campaign,
                    operators,
                    auditLog,
                    host,
                    port,
                    historySeconds,
                    metricsTopic,
                    controlTopic,
                    pushIntervalMs);
        }
    }

    @Command(
            name = "review",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Publish review decisions on the control topic: a file of ControlCommand records (the fraud",
                "notebooks write <run>/analysis/review_decisions.avro), each HOLD_ACCOUNT, RELEASE_ACCOUNT or",
                "CONFIRM_FRAUD naming one account. Settlement (settle --hold-flagged, or any account an operator",
                "held) pays a released account's held credits and refuses a confirmed one's. Every record is",
                "checked first; one bad record publishes nothing (exit 2). Each command is signed with --operator",
                "and written to the audit log, as a dashboard switch is."
            })
    static final class Review implements Callable<Integer> {
        @Option(names = "--decisions", required = true, description = "Avro file of ControlCommand records.")
        Path decisions;

        @Option(names = "--kafka", required = true, description = "Kafka bootstrap servers.")
        String kafka;

        @Option(
                names = "--operator",
                required = true,
                description = "Who decided (recorded in every command and the audit log).")
        String operator;

        @Option(
                names = "--control-topic",
                defaultValue = Topics.CONTROL,
                description = "ControlCommand records (default ${DEFAULT-VALUE}).")
        String controlTopic;

        @Option(
                names = "--audit-log",
                defaultValue = "dashboard-audit.log",
                description = "Append-only audit log (default ${DEFAULT-VALUE}).")
        Path auditLog;

        @Override
        public Integer call() throws Exception {
            try {
                SwitchRequest.identifier("--operator", operator, 64);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(e.getMessage());
            }
            if (!Files.isRegularFile(decisions)) {
                throw new NoSuchFileException(decisions.toString(), null, "decisions file does not exist");
            }
            List<io.redpacket.avro.ControlCommand> commands = ReviewDecisions.read(decisions, operator);
            ReviewDecisions.Outcome o;
            try (KafkaControlSink control = new KafkaControlSink(kafka, controlTopic);
                    AuditLog audit = new AuditLog(auditLog)) {
                o = ReviewDecisions.publish(commands, control, audit, "review " + decisions.getFileName());
            }
            if (o.failure() != null) {
                System.err.println("review: " + o.failure() + "; published before it: " + o.published() + " (audit log "
                        + auditLog + ")");
                return CommandLines.FAILURE;
            }
            System.out.println("review: published " + commands.size() + " decisions " + o.published() + " on "
                    + controlTopic + " as " + operator + " (audit log " + auditLog + ")");
            return CommandLines.OK;
        }
    }
}
