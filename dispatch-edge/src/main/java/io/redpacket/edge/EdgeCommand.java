package io.redpacket.edge;

import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.edge.dispense.DispenseQuota;
import io.redpacket.edge.dispense.ShardTable;
import io.redpacket.edge.guard.EdgeLimits;
import io.redpacket.edge.state.UserStateCache;
import io.redpacket.io.Topics;
import io.redpacket.keys.KeyStorePassword;
import io.redpacket.net.TrustedProxies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/redpacket edge}: serve shakes and opens from one variant's files. */
@Command(
        name = "edge",
        mixinStandardHelpOptions = true,
        description = {
            "Run a dispatch edge: dispenses envelopes of its shards from local files (zero RPC, zero DB),",
            "verifies opens locally and publishes them to Kafka. Users are who their session credential says",
            "(Authorization: Session <credential>, verified locally with --session-ring). Operator switches come",
            "from the control topic; the admin port (localhost) is for local diagnostics.",
            "Key store password: --password-file or " + KeyStorePassword.ENV + "; admin token: --admin-token-file or "
                    + EdgeCommand.ADMIN_TOKEN_ENV + "."
        })
final class EdgeCommand implements Callable<Integer> {
    static final String ADMIN_TOKEN_ENV = "REDPACKET_ADMIN_TOKEN";

    @Option(names = "--campaign", required = true, description = "Variant directory written by 'generate'.")
    Path campaign;

    @Option(names = "--edge-id", required = true, description = "This edge's id (0..65535).")
    int edgeId;

    @Option(names = "--shards", description = "Shards this edge is primary for, e.g. 0-3,7 (when no --shard-table).")
    String shards;

    @Option(
            names = "--shard-table",
            description = "Ownership of every shard: shard:primary[/backup...], comma-separated; or @file.")
    String shardTable;

    @Option(names = "--role", defaultValue = "both", description = "shake, open or both (default ${DEFAULT-VALUE}).")
    String role;

    @Option(names = "--host", defaultValue = "0.0.0.0")
    String host;

    @Option(names = "--port", defaultValue = "8080")
    int port;

    @Option(names = "--admin-host", defaultValue = "127.0.0.1")
    String adminHost;

    @Option(names = "--admin-port", defaultValue = "9080")
    int adminPort;

    @Option(names = "--admin-token-file", description = "File whose first line is the admin bearer token.")
    Path adminTokenFile;

    @Option(names = "--kafka", description = "Kafka bootstrap servers (required for the open role).")
    String kafka;

    @Option(names = "--topic", defaultValue = Topics.OPENS)
    String topic;

    @Option(
            names = "--control-topic",
            defaultValue = Topics.CONTROL,
            description =
                    "Operator switches, applied in order from the first at every start, with --kafka (default ${DEFAULT-VALUE}; empty for none).")
    String controlTopic;

    @Option(
            names = "--session-ring",
            required = true,
            description = "Key store with the session keys (bin/redpacket keys session create).")
    Path sessionRing;

    @Option(
            names = "--metrics-topic",
            defaultValue = Topics.METRICS,
            description =
                    "Live metrics for the dashboard, every second, with --kafka (default ${DEFAULT-VALUE}; empty for none).")
    String metricsTopic;

    @Option(
            names = "--state-dir",
            description = "Cursors and saved switches (default <campaign>/edge-state/edge-<id>).")
    Path stateDir;

    @Option(names = "--password-file")
    Path passwordFile;

    @Option(names = "--rate", defaultValue = "50000", description = "Initial dispense quota per second.")
    long rate;

    @Option(names = "--max-in-flight-opens", defaultValue = "20000")
    int maxInFlightOpens;

    @Option(
            names = "--shed-shakes-above",
            defaultValue = "10000",
            description = "Opens in flight above which shakes are shed.")
    int shedShakesAbove;

    @Option(names = "--shake-interval-ms", defaultValue = "1000")
    long shakeIntervalMs;

    @Option(names = "--max-token-age-ms", defaultValue = "86400000")
    long maxTokenAgeMs;

    @Option(
            names = "--reservation-block",
            defaultValue = "50000",
            description = "Records reserved per durable cursor write.")
    int reservationBlock;

    @Option(names = "--user-cache", defaultValue = "262144", description = "Winner memory entries (power of two).")
    int userCache;

    @Option(names = "--delivery-timeout-ms", defaultValue = "30000", description = "Kafka retries give up after this.")
    long deliveryTimeoutMs;

    @Option(names = "--no-verify-checksums", description = "Skip the sha256 check of files against the manifest.")
    boolean noVerify;

    @Option(names = "--io-threads", defaultValue = "0")
    int ioThreads;

    @Option(
            names = "--trusted-proxies",
            description = "Proxies (IPs or CIDR blocks, comma-separated) whose X-Forwarded-For names the client.")
    String trustedProxies;

    @Option(
            names = "--max-connections",
            defaultValue = "0",
            description =
                    "Open connections in total (default 0: the file descriptor limit less 2,048, at most 50,000).")
    int maxConnections;

    @Option(
            names = "--max-connections-per-address",
            defaultValue = "256",
            description = "Per client address, IPv6 per /64 (default ${DEFAULT-VALUE}).")
    int maxConnectionsPerAddress;

    @Option(names = "--first-byte-timeout-ms", defaultValue = "5000")
    long firstByteTimeoutMs;

    @Option(
            names = "--request-timeout-ms",
            defaultValue = "10000",
            description = "A request must be complete this long after its first byte.")
    long requestTimeoutMs;

    @Option(names = "--idle-timeout-ms", defaultValue = "30000")
    long idleTimeoutMs;

    @Option(
            names = "--address-rate",
            defaultValue = "200",
            description = "Requests/s per client address (0 = off; default ${DEFAULT-VALUE}).")
    double addressRate;

    @Option(names = "--address-burst", defaultValue = "400")
    int addressBurst;

    @Option(
            names = "--user-rate",
            defaultValue = "5",
            description = "Shakes and opens/s per user (0 = off; default ${DEFAULT-VALUE}).")
    double userRate;

    @Option(names = "--user-burst", defaultValue = "10")
    int userBurst;

    @Option(
            names = "--shed-lag-ms",
            defaultValue = "100",
            description = "Event-loop lag above which shakes are shed with 503 (0 = off).")
    long shedLagMs;

    @Override
    public Integer call() throws Exception {
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(campaign)) {
            throw new NoSuchFileException(campaign.toString(), null, "campaign variant directory does not exist");
        }
        boolean shake = role.equals("shake") || role.equals("both");
        boolean open = role.equals("open") || role.equals("both");
        if (!shake && !open) {
            problems.add("--role: '" + role + "' (allowed shake, open, both)");
        }
        if (open && kafka == null) {
            problems.add("--kafka: required for the open role");
        }
        ShardTable table = null;
        try {
            table = shardTable != null
                    ? ShardTable.parse(
                            shardTable.startsWith("@") ? tableFile(Path.of(shardTable.substring(1))) : shardTable)
                    : shards != null ? ShardTable.primaryOnly(edgeId, parseRanges(shards)) : null;
            if (table == null) {
                problems.add("--shards or --shard-table: required");
            }
        } catch (IllegalArgumentException e) {
            problems.add((shardTable != null ? "--shard-table: " : "--shards: ") + e.getMessage());
        }
        if (!Files.isRegularFile(sessionRing)) {
            throw new NoSuchFileException(sessionRing.toString(), null, "session key store does not exist");
        }
        TrustedProxies proxies = TrustedProxies.none();
        try {
            proxies = TrustedProxies.parse(trustedProxies);
        } catch (IllegalArgumentException e) {
            problems.add("--trusted-proxies: " + e.getMessage());
        }
        long fds = maxFileDescriptors();
        if (maxConnections == 0) {
            // Room for the process's own files, Kafka's sockets and the admin port beside the connections.
            maxConnections = fds > 0 ? (int) Math.max(64, Math.min(50_000, fds - 2048)) : 20_000;
        }
        EdgeLimits limits = null;
        try {
            limits = new EdgeLimits(
                    maxConnections,
                    maxConnectionsPerAddress,
                    firstByteTimeoutMs,
                    requestTimeoutMs,
                    idleTimeoutMs,
                    4096,
                    2048,
                    addressRate,
                    addressBurst,
                    userRate,
                    userBurst,
                    shedLagMs);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (fds > 0 && maxConnections + 1024L > fds) {
            problems.add("--max-connections: " + maxConnections + " needs a file descriptor limit above "
                    + (maxConnections + 1024) + " (this process has " + fds
                    + "; raise ulimit -n or lower --max-connections)");
        }
        EdgeSettings settings = null;
        try {
            settings = settings(shake, open);
            new DispenseQuota(rate);
            new UserStateCache(userCache);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new BadInputException(problems);
        }
        String adminToken = adminToken();
        Path state =
                stateDir != null ? stateDir : campaign.resolve("edge-state").resolve("edge-" + edgeId);
        Edge.Config config = Edge.Config.builder(
                        campaign,
                        settings,
                        table,
                        state,
                        KeyStorePassword.resolve(passwordFile, System.getenv()),
                        sessionRing)
                .limits(limits)
                .kafka(kafka, topic, blankToNull(controlTopic), blankToNull(metricsTopic))
                .deliveryTimeout(Duration.ofMillis(deliveryTimeoutMs))
                .verifyChecksums(!noVerify)
                .listen(host, port)
                .admin(adminHost, adminPort, adminToken)
                .ioThreads(ioThreads)
                .trustedProxies(proxies)
                .build();
        Edge edge;
        try {
            edge = Edge.assemble(config, EdgeClock.SYSTEM);
        } catch (IOException e) {
            throw new CommandLines.InputFileException(e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            edge.close();
                            stopped.countDown();
                        },
                        "edge-shutdown"));
        edge.serve();
        System.out.println("edge " + edgeId + " serving on " + host + ":"
                + edge.server().port()
                + (adminToken != null
                        ? ", admin on " + adminHost + ":" + edge.server().adminPort()
                        : ", admin off (no token)"));
        stopped.await();
        return CommandLines.OK;
    }

    /** The edge's tunables from the options; throws IllegalArgumentException naming what is inconsistent. */
    EdgeSettings settings(boolean shake, boolean open) {
        return EdgeSettings.builder(edgeId)
                .shakeRole(shake)
                .openRole(open)
                .dispensePerSecond(rate)
                .maxInFlightOpens(maxInFlightOpens)
                .shedShakesAbove(shedShakesAbove)
                .shakeIntervalMs(shakeIntervalMs)
                .maxTokenAgeMs(maxTokenAgeMs)
                .reservationBlock(reservationBlock)
                .userCacheSize(userCache)
                .build();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static long maxFileDescriptors() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.UnixOperatingSystemMXBean u
                ? u.getMaxFileDescriptorCount()
                : -1;
    }

    private String adminToken() throws IOException, BadInputException {
        if (adminTokenFile != null) {
            String t = Files.readString(adminTokenFile)
                    .lines()
                    .findFirst()
                    .orElse("")
                    .trim();
            if (t.length() < 16) {
                throw new BadInputException(adminTokenFile + ": line 1: admin token must have at least 16 characters");
            }
            return t;
        }
        String t = System.getenv(ADMIN_TOKEN_ENV);
        if (t != null && t.trim().length() < 16) {
            throw new BadInputException(ADMIN_TOKEN_ENV + ": admin token must have at least 16 characters");
        }
        return t == null ? null : t.trim();
    }

    /** A shard table file: one {@code shard:primary[/backup...]} per line, '#' starts a comment. */
    private static String tableFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "shard table file does not exist");
        }
        StringBuilder sb = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            int hash = line.indexOf('#');
            String entry = (hash < 0 ? line : line.substring(0, hash)).trim();
            if (!entry.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : ",").append(entry);
            }
        }
        return sb.toString();
    }

    static List<Integer> parseRanges(String spec) {
        List<Integer> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                int to =
                        dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
                if (from < 0 || to < from) {
                    throw new NumberFormatException();
                }
                for (int s = from; s <= to; s++) {
                    out.add(s);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + p + "' is not a shard or range like 0-3");
            }
        }
        return out;
    }
}
