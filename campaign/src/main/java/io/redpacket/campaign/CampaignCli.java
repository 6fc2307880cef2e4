package io.redpacket.campaign;

import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.simulation.scenario.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/redpacket campaign}: the whole campaign end to end on this machine. */
@Command(
        name = "redpacket",
        mixinStandardHelpOptions = true,
        subcommands = CampaignCli.Campaign.class,
        description = "The whole campaign end to end.")
public final class CampaignCli implements Callable<Integer> {
    public static void main(String[] args) {
        System.exit(CommandLines.execute(new CampaignCli(), args));
    }

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }

    /** The crowd's shipped scenarios (simulation, {@code scenarios/NAME.json} in its jar); the crowd validates a file itself. */
    static final List<String> SHIPPED_SCENARIOS = Scenario.SHIPPED;

    @Command(
            name = "campaign",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Run a complete campaign on this machine: keys, generation (local Spark), a real KRaft Kafka broker,",
                "settlement (Flink mini cluster), edges, a crowd with fraudsters and an insider, a mid-campaign key",
                "blacklist, reconciliation (local Spark) and the finance summary. Exits 1 if the money equation breaks or",
                "any forged, tampered or replayed envelope was credited. With --cluster, generation and reconciliation are",
                "spark-submitted to a Spark standalone cluster and settlement is a flink run on a Flink session cluster, the data",
                "on a real HDFS; all three are started (and stopped) by the run."
            })
    static final class Campaign implements Callable<Integer> {
        @Option(names = "--work", description = "Run directory (default runs/campaign-<time> under the project).")
        Path work;

        @Option(names = "--budget", description = "Budget CSV (default the demo sample).")
        Path budget;

        @Option(names = "--script", description = "Funding script; its slots are compressed (default the demo sample).")
        Path script;

        @Option(names = "--variant", defaultValue = "main")
        String variant;

        @Option(
                names = "--shards",
                defaultValue = "4",
                description = "Envelope files per slot (default ${DEFAULT-VALUE}).")
        int shards;

        @Option(names = "--edges", defaultValue = "2", description = "Edge processes (default ${DEFAULT-VALUE}).")
        int edges;

        @Option(names = "--users", defaultValue = "8000", description = "Simulated users (default ${DEFAULT-VALUE}).")
        int users;

        @Option(
                names = "--scenario",
                description = {
                    "The crowd's scenario: a JSON file, or a shipped one by name: default, heldout (default: default;",
                    "see simulation/README.md, \"Scenario files\")."
                })
        String scenario;

        @Option(
                names = "--fraud-share",
                description = {
                    "Share of fraudulent accounts in the crowd: scales the scenario's fraud populations to it",
                    "together, honest ones to the rest (default: the scenario's shares)."
                })
        Double fraudShare;

        @Option(
                names = "--slot-seconds",
                defaultValue = "60",
                description = "Length of each compressed slot (default ${DEFAULT-VALUE}).")
        int slotSeconds;

        @Option(
                names = "--rate",
                defaultValue = "2000",
                description = "Dispense quota per edge per second (default ${DEFAULT-VALUE}).")
        long rate;

        @Option(
                names = "--coupon-limit",
                defaultValue = "200",
                description = "Credits/s of the coupon channel (default ${DEFAULT-VALUE}).")
        long couponLimit;

        @Option(names = "--seed", defaultValue = "2027")
        long seed;

        @Option(
                names = "--fault-drill",
                description = "Kill and restore settlement, restart the broker and kill an edge mid-campaign.")
        boolean faultDrill;

        @Option(names = "--kafka-port", defaultValue = "19092")
        int kafkaPort;

        @Option(names = "--kafka-controller-port", defaultValue = "19093")
        int kafkaControllerPort;

        @Option(
                names = "--edge-port",
                defaultValue = "18081",
                description = "First edge's port; edge i uses this + i - 1.")
        int edgePort;

        @Option(
                names = "--admin-port",
                defaultValue = "19081",
                description = "First edge's admin port; edge i uses this + i - 1.")
        int adminPort;

        @Option(
                names = "--prometheus-port",
                defaultValue = "19250",
                description = "Settlement's Flink metrics for Prometheus.")
        int prometheusPort;

        @Option(names = "--flink-ui-port", defaultValue = "18090", description = "Flink web UI of the settlement job.")
        int flinkUiPort;

        @Option(
                names = "--identity-port",
                defaultValue = "17070",
                description = "The local identity service (logins, sessions).")
        int identityPort;

        @Option(
                names = "--hold-flagged",
                description = {
                    "Settlement holds the credits of accounts its live flags name, for review (released or",
                    "confirmed as fraud by RELEASE_ACCOUNT / CONFIRM_FRAUD on the control topic; still held at the end: pending)."
                })
        boolean holdFlagged;

        @Option(
                names = "--session-attacks",
                description = "Add fraudsters using stolen and expired sessions to the crowd.")
        boolean sessionAttacks;

        @Option(
                names = "--restart-drill",
                description =
                        "Kill the last edge before the blacklist and restart it after: it must apply the switch it missed.")
        boolean restartDrill;

        @Option(
                names = "--cluster",
                description = {
                    "Run generation and reconciliation with spark-submit on a Spark standalone cluster (2 workers),",
                    "settlement with flink run on a Flink session cluster (2 TaskManagers), the data on HDFS (NameNode + DataNode);",
                    "each a child JVM started and stopped by the run."
                })
        boolean cluster;

        @Option(
                names = "--dashboard-port",
                defaultValue = "0",
                description = "Serve the live dashboard with operator switches on this port (default 0: no dashboard).")
        int dashboardPort;

        @Override
        public Integer call() throws Exception {
            Path home = Path.of(System.getProperty("redpacket.home", "."))
                    .toAbsolutePath()
                    .normalize();
            CampaignSettings settings = settings(home);
            Progress progress = new Progress(System.out);
            try (CampaignRunner runner = new CampaignRunner(settings, progress)) {
                Runtime.getRuntime().addShutdownHook(new Thread(runner::close, "campaign-stop"));
                CampaignSummary summary = runner.run();
                System.out.println();
                System.out.println("==== campaign summary ====");
                summary.lines().forEach(System.out::println);
                Files.write(settings.workDir().resolve("summary.txt"), summary.lines());
                if (!summary.passed()) {
                    System.out.println("FAILED:");
                    summary.failures().forEach(f -> System.out.println("  " + f));
                    return CommandLines.FAILURE;
                }
                System.out.println("PASSED: money equation exact, no forged, tampered or replayed envelope credited");
                return CommandLines.OK;
            }
        }

        /**
         * The crowd reads the scenario (simulation owns its format): asked to check it before anything starts, it
         * answers 0, or 2 with every problem located ({@code file:line: field: message}), which become ours.
         */
        static List<String> checkScenario(Path home, Path file, int users, boolean sessionAttacks) {
            try {
                Path log = Files.createTempFile("scenario-check", ".log");
                try {
                    List<String> args = new ArrayList<>(List.of(
                            "crowd",
                            "--check-scenario",
                            "--scenario",
                            file.toString(),
                            "--users",
                            String.valueOf(users)));
                    if (sessionAttacks) {
                        args.add("--session-attacks");
                    }
                    ChildProcess check = ChildProcess.redpacket(
                                    home, "scenario-check", log, Map.of(), args.toArray(String[]::new))
                            .start();
                    int exit = check.await(300, java.util.concurrent.TimeUnit.SECONDS);
                    if (exit == CommandLines.OK) {
                        return List.of();
                    }
                    List<String> said = Files.readAllLines(log).stream()
                            .filter(l -> l.startsWith(file.toString()) || l.startsWith("--"))
                            .toList();
                    return said.isEmpty()
                            ? List.of("--scenario: " + file + ": the crowd refused it (exit " + exit + "):\n"
                                    + check.tail(20))
                            : said;
                } finally {
                    Files.deleteIfExists(log);
                }
            } catch (IOException e) {
                return List.of("--scenario: " + file + ": cannot check it: " + e.getMessage());
            }
        }

        /** A shipped scenario by its name (unless a file of that name is here), a file by its absolute path. */
        private String scenarioAsPassed() {
            return scenario == null || SHIPPED_SCENARIOS.contains(scenario) && !Files.isRegularFile(Path.of(scenario))
                    ? scenario
                    : Path.of(scenario).toAbsolutePath().toString();
        }

        CampaignSettings settings(Path home) throws BadInputException {
            List<String> problems = new ArrayList<>();
            Path b = budget != null ? budget : CampaignSettings.demoBudget(home);
            Path sc = script != null ? script : CampaignSettings.demoScript(home);
            for (Path p : List.of(b, sc)) {
                if (!Files.isRegularFile(p)) {
                    problems.add(p + ": no such file");
                }
            }
            if (edges < 1 || edges > 16) {
                problems.add("--edges: " + edges + " (allowed 1..16)");
            }
            if (faultDrill && edges < 2) {
                problems.add("--fault-drill: needs at least 2 edges (one is killed, its backup takes over)");
            }
            if (cluster && faultDrill) {
                problems.add(
                        "--fault-drill: not with --cluster (it kills the local settlement process and restarts the local broker)");
            }
            if (shards < edges) {
                problems.add("--shards: " + shards + " must be at least --edges (" + edges + ")");
            }
            if (dashboardPort < 0) {
                problems.add("--dashboard-port: " + dashboardPort + " (0 for no dashboard, else a free port)");
            }
            if (scenario != null && !Files.isRegularFile(Path.of(scenario)) && !SHIPPED_SCENARIOS.contains(scenario)) {
                problems.add("--scenario: " + scenario + ": no such file (or a shipped scenario: "
                        + String.join(", ", SHIPPED_SCENARIOS) + ")");
            } else if (scenario != null && Files.isRegularFile(Path.of(scenario))) {
                problems.addAll(checkScenario(home, Path.of(scenario).toAbsolutePath(), users, sessionAttacks));
            }
            if (users < 1
                    || (fraudShare != null && (fraudShare < 0 || fraudShare > 1))
                    || slotSeconds < 5
                    || rate < 1) {
                problems.add("--users >= 1, --fraud-share in 0..1, --slot-seconds >= 5, --rate >= 1");
            }
            Path dir = work != null
                    ? work
                    : home.resolve("runs/campaign-"
                            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            if (Files.exists(dir)) {
                problems.add("--work: " + dir + " already exists; a run never overwrites another");
            }
            if (!problems.isEmpty()) {
                throw new BadInputException(problems);
            }
            return CampaignSettings.builder(home, dir.toAbsolutePath())
                    .budget(b)
                    .script(sc)
                    .variant(variant)
                    .shards(shards)
                    .edges(edges)
                    .users(users)
                    .fraudShare(fraudShare)
                    .slotSeconds(slotSeconds)
                    .seed(seed)
                    .dispensePerSecond(rate)
                    .kafkaPort(kafkaPort)
                    .kafkaControllerPort(kafkaControllerPort)
                    .edgeBasePort(edgePort)
                    .adminBasePort(adminPort)
                    .prometheusPort(prometheusPort)
                    .flinkUiPort(flinkUiPort)
                    .faultDrill(faultDrill)
                    .couponLimitPerSecond(couponLimit)
                    .dashboardPort(dashboardPort)
                    .identityPort(identityPort)
                    .sessionAttacks(sessionAttacks)
                    .restartDrill(restartDrill)
                    .cluster(cluster)
                    .scenario(scenarioAsPassed())
                    .holdFlagged(holdFlagged)
                    .build();
        }
    }
}
