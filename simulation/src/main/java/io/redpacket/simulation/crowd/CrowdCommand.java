package io.redpacket.simulation.crowd;

import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.simulation.scenario.Scenario;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/redpacket crowd}: simulated users (honest and fraudulent) against running edges. */
@Command(
        name = "crowd",
        mixinStandardHelpOptions = true,
        description = {
            "Simulate users shaking and opening against edges with human pacing (obeys slow-down answers).",
            "Every account registers with the identity service and logs in. Who the users are comes from a scenario file",
            "(--scenario): honest populations (solo, families, campus and carrier NATs, shared tablets, two phones, travellers)",
            "and fraud (device farms, replayed and forged tokens, cap bypass, device relays, registration bursts, proxy",
            "rotation, mules; stolen and expired sessions with --session-attacks);",
            "writes the ground truth: <out>/users.avro (CrowdAccount records), <out>/actions.csv, <out>/summary.json."
        })
public final class CrowdCommand implements Callable<Integer> {
    @Option(names = "--edge", description = "id=url of an edge, repeatable: --edge 1=http://127.0.0.1:8080 (required).")
    List<String> edges;

    @Option(
            names = "--identity",
            description =
                    "URL of the identity service (bin/redpacket identity): accounts register and log in there (required).")
    URI identity;

    @Option(
            names = "--check-scenario",
            description = {
                "Only read and check the scenario (with --users and --session-attacks), print its",
                "populations and exit: 0 if it is sound, 2 with every problem located."
            })
    boolean checkScenario;

    @Option(
            names = "--session-attacks",
            description = "Also draw fraudsters that use stolen sessions and replay expired ones.")
    boolean sessionAttacks;

    @Option(names = "--users", defaultValue = "1000")
    int users;

    @Option(
            names = "--scenario",
            description = {
                "Scenario file (JSON), or the name of a shipped one: default, heldout (default: default).",
                "See dispatch-edge/README.md, \"Scenario files\"."
            })
    String scenario;

    @Option(
            names = "--fraud-share",
            description = {
                "Share of fraudulent accounts (0..1): scales the scenario's fraud populations to it together,",
                "honest ones to the rest (default: the scenario's shares)."
            })
    Double fraudShare;

    @Option(names = "--duration-s", defaultValue = "30")
    long durationS;

    @Option(names = "--max-in-flight", defaultValue = "256", description = "Requests in flight at most.")
    int maxInFlight;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--open-delay-ms", defaultValue = "2000", description = "Mean delay between winning and opening.")
    long openDelayMs;

    @Option(
            names = "--farm-size",
            description = "Accounts per shared device of DEVICE_FARM populations (default: the scenario's groupSize).")
    Integer farmSize;

    @Option(
            names = "--arrival-s",
            defaultValue = "1",
            description = "Users arrive uniformly over this many seconds (default ${DEFAULT-VALUE}).")
    long arrivalS;

    @Option(names = "--out", description = "Directory for the ground truth (required).")
    Path out;

    @Option(
            names = "--registered-file",
            description = "Written (the number of accounts) once every account is registered; with --start-file.")
    Path registeredFile;

    @Option(
            names = "--start-file",
            description = {
                "Hold users back after registering until this file exists (a campaign sets its countdown",
                "first); --duration-s counts from then. Gives up after --start-timeout-s."
            })
    Path startFile;

    @Option(
            names = "--start-timeout-s",
            defaultValue = "600",
            description = "How long to wait for --start-file (default ${DEFAULT-VALUE}).")
    long startTimeoutS;

    @Override
    public Integer call() throws Exception {
        List<String> problems = new ArrayList<>();
        Map<Integer, URI> map = new TreeMap<>();
        if (!checkScenario) {
            if (edges == null || edges.isEmpty()) {
                problems.add("--edge: at least one is required");
            }
            if (identity == null) {
                problems.add("--identity: required");
            }
            if (out == null) {
                problems.add("--out: required");
            }
        }
        for (String e : edges == null ? List.<String>of() : edges) {
            int eq = e.indexOf('=');
            try {
                map.put(
                        Integer.parseInt(e.substring(0, eq).trim()),
                        URI.create(e.substring(eq + 1).trim()));
            } catch (RuntimeException ex) {
                problems.add("--edge: '" + e + "' is not id=url");
            }
        }
        if (fraudShare != null && (fraudShare < 0 || fraudShare > 1)) {
            problems.add("--fraud-share: " + fraudShare + " (allowed 0..1)");
        }
        if (users < 1 || maxInFlight < 1 || durationS < 1) {
            problems.add("--users, --max-in-flight and --duration-s must be positive");
        }
        if (farmSize != null && farmSize < 1) {
            problems.add("--farm-size: " + farmSize + " (at least 1)");
        }
        if ((registeredFile == null) != (startFile == null)) {
            problems.add("--registered-file and --start-file go together");
        }
        if (startTimeoutS < 1) {
            problems.add("--start-timeout-s: " + startTimeoutS + " (must be positive)");
        }
        Scenario scenarioFile = null;
        try {
            scenarioFile = Scenario.read(scenario == null ? Scenario.DEFAULT : scenario);
        } catch (BadInputException e) {
            problems.addAll(e.problems());
        }
        if (scenarioFile != null) {
            int fixed = scenarioFile.populations().stream()
                    .filter(p -> p.count() != null
                            && (sessionAttacks || !p.template().sessionAttack()))
                    .mapToInt(Scenario.Population::count)
                    .sum();
            if (fixed > users) {
                problems.add("--users: " + users + " is fewer than the " + fixed
                        + " accounts the populations with a count of " + scenarioFile.source() + " hold");
            }
        }
        if (!problems.isEmpty()) {
            throw new BadInputException(problems);
        }
        if (checkScenario) {
            System.out.println("scenario " + scenarioFile.source() + ": "
                    + scenarioFile.populations().size() + " populations");
            scenarioFile
                    .populations()
                    .forEach(p -> System.out.println(
                            "  " + p.name() + " " + p.template() + (p.fraud() ? " fraud " : " honest ")
                                    + (p.count() != null ? p.count() + " accounts" : "share " + p.share())
                                    + (p.template().sessionAttack() && !sessionAttacks
                                            ? " (left out: no --session-attacks)"
                                            : "")));
            return CommandLines.OK;
        }
        Crowd crowd = new Crowd(new Crowd.Config(
                map,
                identity,
                users,
                fraudShare,
                Duration.ofSeconds(durationS),
                maxInFlight,
                seed,
                openDelayMs,
                farmSize,
                arrivalS * 1000,
                sessionAttacks,
                scenarioFile));
        Crowd.StartGate gate = startFile == null
                ? Crowd.StartGate.NOW
                : new FileStartGate(registeredFile, startFile, Duration.ofSeconds(startTimeoutS));
        Map<String, Long> counts = crowd.run(out, gate);
        System.out.println("crowd done: " + counts);
        System.out.println("ground truth in " + out);
        return CommandLines.OK;
    }
}
