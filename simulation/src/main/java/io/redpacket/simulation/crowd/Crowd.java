package io.redpacket.simulation.crowd;

import static io.redpacket.simulation.Answers.JSON;
import static io.redpacket.simulation.Answers.answerOf;
import static io.redpacket.simulation.Answers.field;

import com.fasterxml.jackson.databind.JsonNode;
import io.redpacket.avro.CrowdAccount;
import io.redpacket.cli.BadInputException;
import io.redpacket.io.AtomicFiles;
import io.redpacket.io.AvroFiles;
import io.redpacket.net.EdgeRing;
import io.redpacket.simulation.scenario.Device;
import io.redpacket.simulation.scenario.Pacing;
import io.redpacket.simulation.scenario.PlannedUser;
import io.redpacket.simulation.scenario.PopulationPlanner;
import io.redpacket.simulation.scenario.Scenario;
import io.redpacket.simulation.scenario.Stint;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Simulated users shaking and opening against edges, with human pacing: each user waits the interval the
 * server asks for (next shake, retry-after) plus jitter, and opens what it won after a short delay. Every account
 * is registered with the identity service first (farms in bursts, a replayer's accomplice right after it), and each
 * user logs in on arrival and presents its session credential on every request. Who the users are comes from a
 * {@link Scenario} (populations of honest people and fraudsters, see dispatch-edge/README.md), laid out by
 * {@link PopulationPlanner}: each account plays in its stints (device and address, e.g. a relay chain's accounts one
 * after the other, a traveller's addresses) with its pacing (a person's or a script's). The ground truth (who is a
 * fraudster, of which population and group, and every action taken) is written next to the summary so later stages
 * can be scored against it. New actions are added to {@link Behaviour} and {@link #turn}; new layouts are templates.
 *
 * <p>One driver thread owns all user state; HTTP completions are handed back to it through a queue, so the
 * simulation needs no locks. In-flight requests are bounded.
 */
public final class Crowd {
    /** What a simulated user does. Everything but HONEST is fraud, recorded in the ground truth. */
    public enum Behaviour {
        HONEST,
        /** Accounts of a farm share one device id and one (claimed) IP. */
        SHARED_DEVICE,
        /** Opens each won token twice, and presents it under an accomplice account. */
        REPLAY,
        /**
         * Sends opens with forged tokens (random, or a genuine one with a flipped bit) between its shakes, and keeps at it
         * after its genuine wins are capped.
         */
        FORGE,
        /** Spreads shakes over every edge and throws away the state blob, to get past the caps. */
        CAP_BYPASS,
        /**
         * Shakes and opens with honest users' session credentials (captured on a shared network), from its own address;
         * half copy the victim's device id too. Only with {@code sessionAttacks}.
         */
        STOLEN_SESSION,
        /** Logs in once with a very short session and keeps presenting it long after it expired. Only with {@code sessionAttacks}. */
        EXPIRED_SESSION,
        /** Plays like a person, but its phone is handed along a chain of accounts, each in its own window. */
        DEVICE_RELAY,
        /** Plays like a person, from one of a burst of sequentially numbered accounts sharing proxy addresses. */
        REGISTRATION_BURST,
        /** Plays like a person, through addresses of a rotating proxy pool. */
        PROXY_ROTATION,
        /** One of many accounts one operator's script runs with synchronized timing. */
        MULE;

        public boolean fraud() {
            return this != HONEST;
        }
    }

    /**
     * @param identity        the identity service (register, login)
     * @param fraudShare      null: the scenario's shares; else the fraud populations' share of the crowd together
     * @param farmSize        null: the scenario's; else the group size of its DEVICE_FARM populations
     * @param sessionAttacks  include the scenario's session-attack populations (stolen and expired sessions)
     */
    public record Config(
            Map<Integer, URI> edges,
            URI identity,
            int users,
            Double fraudShare,
            Duration duration,
            int maxInFlight,
            long seed,
            long openDelayMs,
            Integer farmSize,
            long arrivalMs,
            boolean sessionAttacks,
            Scenario scenario) {
        /** The default scenario. */
        public Config(
                Map<Integer, URI> edges,
                URI identity,
                int users,
                double fraudShare,
                Duration duration,
                int maxInFlight,
                long seed,
                long openDelayMs,
                int farmSize,
                long arrivalMs,
                boolean sessionAttacks) {
            this(
                    edges,
                    identity,
                    users,
                    fraudShare,
                    duration,
                    maxInFlight,
                    seed,
                    openDelayMs,
                    farmSize,
                    arrivalMs,
                    sessionAttacks,
                    defaultScenario());
        }

        /** The default scenario; users all arrive within the first second; no session attacks. */
        public Config(
                Map<Integer, URI> edges,
                URI identity,
                int users,
                double fraudShare,
                Duration duration,
                int maxInFlight,
                long seed,
                long openDelayMs,
                int farmSize) {
            this(edges, identity, users, fraudShare, duration, maxInFlight, seed, openDelayMs, farmSize, 1_000, false);
        }
    }

    static Scenario defaultScenario() {
        try {
            return Scenario.shipped(Scenario.DEFAULT);
        } catch (BadInputException e) {
            throw new IllegalStateException("the shipped default scenario is broken: " + e.getMessage(), e);
        }
    }

    /**
     * An open to send: the token, when, and which account's session presents it (and from which device; null: the
     * user's device at the time it is sent).
     */
    private record Pending(String token, long openAt, String asUser, String kind, Account account, String device) {}

    /** A registered account: its secret and, once logged in, its session (bound to the device it logged in on). */
    private static final class Account {
        final String id;
        String device;
        String secret;
        String session;
        boolean loggingIn;

        Account(String id, String device) {
            this.id = id;
            this.device = device;
        }
    }

    private static final class User {
        final String id;
        final Behaviour behaviour;
        final PlannedUser plan;
        /** The device and address of its current stint. */
        Device device;

        String ip;
        int homeEdge;
        /** Turns taken in its stints: a rotating proxy's next exit. */
        int turns;

        String state;
        boolean capped;
        int shakes;
        int won;
        long openedFen;
        int edgeCursor;
        long nextAt;
        final ArrayDeque<Pending> toOpen = new ArrayDeque<>();
        final Account account;
        /** REPLAY: the accomplice account the replayer registered on its own device. */
        Account accomplice;
        /** STOLEN_SESSION: whether it also sends the victim's device id. */
        boolean copiesDevice;

        User(PlannedUser plan, int homeEdge) {
            this.id = plan.id();
            this.behaviour = plan.behaviour();
            this.plan = plan;
            this.device = plan.first().device();
            this.ip = plan.first().ip();
            this.homeEdge = homeEdge;
            this.account = new Account(id, device.id());
        }

        boolean scripted() {
            return plan.pacing() == Pacing.SCRIPT;
        }

        /** The stint covering {@code t}, or null. */
        Stint stintAt(long t) {
            for (Stint s : plan.stints()) {
                if (s.covers(t)) {
                    return s;
                }
            }
            return null;
        }

        /** When its next stint after {@code t} starts, or -1 when it has played its last. */
        long nextStintFrom(long t) {
            for (Stint s : plan.stints()) {
                if (s.fromMs() > t) {
                    return s.fromMs();
                }
            }
            return -1;
        }
    }

    /** Honest users with a session, the pool a STOLEN_SESSION fraudster draws its victims from. */
    private final List<User> honestLoggedIn = new ArrayList<>();

    private final Config config;
    private final Random random;
    private final HttpClient http;
    private final ExecutorService httpThreads;
    private final List<Integer> edgeIds;
    /** Edges that stopped answering (connection refused or timed out); their users move on the ring, as an app would. */
    private final Map<Integer, Long> down = new HashMap<>();
    /** An edge marked down is tried again after this long, as an app re-probes a server. */
    static final long DOWN_RETRY_MS = 5_000;

    private EdgeRing liveRing;
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
    private final List<long[]> shakeLatencies = new ArrayList<>();
    private final List<long[]> openLatencies = new ArrayList<>();
    private final Map<String, Long> counts = new HashMap<>();
    private BufferedWriter actions;
    private int inFlight;

    public Crowd(Config config) {
        if (config.edges().isEmpty()) {
            throw new IllegalArgumentException("the crowd needs at least one edge");
        }
        this.config = config;
        this.random = new Random(config.seed());
        this.httpThreads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "crowd-http");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(httpThreads)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.edgeIds = new ArrayList<>(config.edges().keySet());
    }

    /**
     * Between registering every account and the first arrival. Registration is preparation, done before the show: a
     * campaign holds the crowd here until it has set its countdown, so that registering thousands of accounts does not
     * eat into the slots (users would arrive late, some after the last slot).
     */
    @FunctionalInterface
    public interface StartGate {
        /** Users arrive as soon as their accounts are registered. */
        StartGate NOW = accounts -> {};

        /** Called once every account is registered; users start arriving when it returns. */
        void registered(int accounts) throws IOException, InterruptedException;
    }

    /** Runs the crowd for the configured duration; writes users.avro, actions.csv and summary.json to {@code out}. */
    public Map<String, Long> run(Path out) throws IOException, InterruptedException {
        return run(out, StartGate.NOW);
    }

    /**
     * Registers every account, waits at {@code gate}, then runs the crowd for the configured duration (counted from
     * the gate); writes users.avro, actions.csv and summary.json to {@code out}.
     */
    public Map<String, Long> run(Path out, StartGate gate) throws IOException, InterruptedException {
        Files.createDirectories(out);
        List<User> users = createUsers();
        if (config.scenario().text() != null) {
            AtomicFiles.write(
                    out.resolve("scenario.json"),
                    tmp -> Files.writeString(tmp, config.scenario().text()));
        }
        writeUsers(out.resolve(USERS_FILE), users);
        gate.registered(registerAll(users));
        Path actionsFile = out.resolve(ACTIONS_FILE);
        Path tmp = Files.createTempFile(out, ".actions", ".tmp");
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                actions = w;
                w.write("timeMs,userId,behaviour,action,edge,httpStatus,result,envelopeId,amountFen,detail\n");
                drive(users);
            }
            AtomicFiles.moveAtomically(tmp, actionsFile);
        } finally {
            Files.deleteIfExists(tmp);
            httpThreads.shutdownNow();
        }
        writeSummary(out.resolve("summary.json"), users);
        return counts;
    }

    /**
     * How long a person typically plays, from arrival until capped, at the edge's pacing: 26 s for a quarter of them,
     * 34 s the median (8,000 users, default campaign, 2 cores). A traveller's addresses and a two-phone owner's phones
     * change within it, so that its requests show them all.
     */
    static final long PLAY_SPAN_MS = 25_000;

    private List<User> createUsers() {
        EdgeRing ring = new EdgeRing(edgeIds);
        liveRing = ring;
        List<PlannedUser> plan = PopulationPlanner.plan(
                config.scenario(),
                new PopulationPlanner.Settings(
                        config.users(),
                        config.seed(),
                        config.duration().toMillis(),
                        Math.max(1, config.arrivalMs()),
                        PLAY_SPAN_MS,
                        config.fraudShare(),
                        config.farmSize(),
                        config.sessionAttacks()));
        List<User> users = new ArrayList<>(plan.size());
        for (PlannedUser p : plan) {
            User u = new User(p, ring.edgeFor(p.id()));
            if (p.accomplice() != null) {
                u.accomplice = new Account(p.accomplice().id(), u.device.id());
            }
            u.copiesDevice = u.behaviour == Behaviour.STOLEN_SESSION && random.nextBoolean();
            u.nextAt = p.arrivalMs();
            users.add(u);
        }
        return users;
    }

    /**
     * Registers every account before the show, in an order an analyst would recognise: honest accounts one by one,
     * each registration unit (a farm, a burst, a relay chain, a mule group) in one block, a replayer's accomplice right
     * after it; units in random order. Several at a time (bounded); returns how many.
     */
    private int registerAll(List<User> users) throws IOException, InterruptedException {
        List<List<Account>> units = new ArrayList<>();
        Map<String, List<Account>> byUnit = new HashMap<>();
        Map<String, User> userOf = new HashMap<>();
        for (User u : users) {
            List<Account> unit = byUnit.computeIfAbsent(u.plan.registrationUnit(), k -> {
                List<Account> block = new ArrayList<>();
                units.add(block);
                return block;
            });
            unit.add(u.account);
            userOf.put(u.account.id, u);
            if (u.accomplice != null) {
                unit.add(u.accomplice);
                userOf.put(u.accomplice.id, u);
            }
        }
        java.util.Collections.shuffle(units, random);
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(16);
        List<java.util.concurrent.CompletableFuture<Void>> calls = new ArrayList<>();
        for (List<Account> unit : units) {
            for (Account a : unit) {
                slots.acquire();
                User owner = userOf.get(a.id);
                HttpRequest req = HttpRequest.newBuilder(config.identity().resolve("/register"))
                        .timeout(Duration.ofSeconds(60))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("X-Forwarded-For", owner.ip)
                        .header("User-Agent", owner.device.userAgent())
                        .POST(HttpRequest.BodyPublishers.ofString("user=" + a.id + "&device=" + a.device
                                + "&clientVersion=" + clientVersion(owner.device)))
                        .build();
                calls.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                        .handle((res, ex) -> {
                            slots.release();
                            if (ex != null || res.statusCode() != 201) {
                                throw new IllegalStateException("registering " + a.id + ": "
                                        + (ex != null ? ex : res.statusCode() + " " + res.body()));
                            }
                            a.secret = field(answerOf(res.body()), "secret", null);
                            return null;
                        }));
            }
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(calls.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(5, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("registering the crowd with " + config.identity() + " failed: " + e.getMessage(), e);
        }
        count("register.ok", calls.size());
        return calls.size();
    }

    private void drive(List<User> users) throws IOException {
        long start = System.nanoTime();
        long end = config.duration().toMillis();
        PriorityQueue<User> due = new PriorityQueue<>((a, b) -> Long.compare(a.nextAt, b.nextAt));
        due.addAll(users);
        while (true) {
            long now = (System.nanoTime() - start) / 1_000_000;
            Runnable done;
            while ((done = completions.poll()) != null) {
                done.run();
            }
            if (now >= end) {
                break;
            }
            while (!due.isEmpty() && due.peek().nextAt <= now && inFlight < config.maxInFlight()) {
                User u = due.poll();
                turn(u, now, start, due);
            }
            LockSupport.parkNanos(200_000);
        }
        // Let answers in flight come back (bounded), so the ground truth has every request's outcome.
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inFlight > 0 && System.nanoTime() < drainUntil) {
            Runnable done;
            while ((done = completions.poll()) != null) {
                done.run();
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** How long a capped forger waits before its next try, at least (up to twice as long). */
    static final long FORGER_PAUSE_MS = 2_000;

    /** One action of one user; the user is re-queued when the answer says when to come back. */
    private void turn(User u, long now, long start, PriorityQueue<User> due) {
        reprobe(now, start);
        if (down.containsKey(u.homeEdge)) {
            u.homeEdge = liveRing.edgeFor(u.id);
        }
        Stint stint = u.stintAt(now);
        if (stint == null) {
            // Between or after its stints (a relay account's window is over): it only sends the opens of its wins.
            Pending p = u.toOpen.peek();
            if (p != null) {
                if (p.openAt <= now) {
                    u.toOpen.poll();
                    open(u, p, start, due);
                } else {
                    u.nextAt = p.openAt;
                    due.add(u);
                }
                return;
            }
            long next = u.nextStintFrom(now);
            if (next >= 0) {
                u.nextAt = next;
                due.add(u);
            }
            return;
        }
        if (!stint.device().id().equals(u.account.device)) {
            // Picked up another phone: sessions are bound to a device, so it logs in there.
            u.account.device = stint.device().id();
            u.account.session = null;
        }
        u.device = stint.device();
        u.ip = stint.ips().size() == 1
                ? stint.ip()
                : stint.ips().get(u.turns % stint.ips().size());
        u.turns++;
        if (u.account.session == null) {
            // Arrival (or a session the edge refused): log in first. The expired-session fraudster asks for 1 s.
            login(u, u.account, u.behaviour == Behaviour.EXPIRED_SESSION ? 1 : 0, start, due);
            return;
        }
        if (u.behaviour == Behaviour.STOLEN_SESSION && u.toOpen.isEmpty() && !honestLoggedIn.isEmpty()) {
            hijack(u, start, due);
            return;
        }
        Pending p = u.toOpen.peek();
        if (p != null && p.openAt <= now) {
            u.toOpen.poll();
            open(u, p, start, due);
            return;
        }
        if (u.behaviour == Behaviour.FORGE && random.nextInt(4) == 0) {
            open(u, new Pending(forgedToken(), now, u.id, "forged-open", u.account, null), start, due);
            return;
        }
        if (u.capped) {
            if (p != null) {
                u.nextAt = p.openAt;
                due.add(u);
            } else if (u.behaviour == Behaviour.FORGE) {
                // Forging is the point, not the genuine wins: capped, a forger comes back (after a human pause) to try
                // more forged tokens until the show ends, where an honest user goes home.
                u.nextAt = now + FORGER_PAUSE_MS + random.nextInt((int) FORGER_PAUSE_MS);
                due.add(u);
            }
            return;
        }
        int edge = u.homeEdge;
        String state = u.state;
        if (u.behaviour == Behaviour.CAP_BYPASS) {
            List<Integer> live = liveRing.edges();
            edge = live.get(u.edgeCursor++ % live.size());
            state = null;
        }
        u.shakes++;
        String form = "device=" + u.device.id() + (state != null ? "&state=" + state : "");
        int edgeUsed = edge;
        send(
                edge,
                u.ip,
                u.device.userAgent(),
                u.account.session,
                "/shake",
                form,
                start,
                shakeLatencies,
                (status, j) -> {
                    long t = (System.nanoTime() - start) / 1_000_000;
                    String result = field(j, "result", "error");
                    count("shake." + result);
                    if (j.has("state")) {
                        u.state = field(j, "state", null);
                    }
                    long wait =
                            j.path("nextShakeMs").asLong(j.path("retryAfterMs").asLong(1000));
                    if (result.equals("capped") && u.behaviour == Behaviour.FORGE) {
                        // The edge's interval (a minute) is for shakes; a capped forger is done shaking and comes back
                        // to forge.
                        wait = FORGER_PAUSE_MS;
                    }
                    switch (result) {
                        case "envelope" -> {
                            u.won++;
                            long at = u.scripted()
                                    ? t + SCRIPT_OPEN_DELAY_MS
                                    : t
                                            + config.openDelayMs() / 2
                                            + (long) (random.nextDouble() * config.openDelayMs());
                            u.toOpen.add(new Pending(field(j, "token", null), at, u.id, "open", u.account, null));
                            if (u.behaviour == Behaviour.REPLAY) {
                                u.toOpen.add(new Pending(
                                        field(j, "token", null), at + 200, u.id, "replay-open", u.account, null));
                                u.toOpen.add(new Pending(
                                        field(j, "token", null),
                                        at + 400,
                                        u.accomplice.id,
                                        "stolen-open",
                                        u.accomplice,
                                        u.device.id()));
                            }
                        }
                        case "capped" -> u.capped = true;
                        case "unauthenticated" -> sessionRefused(u, u.account);
                        default -> {}
                    }
                    log(t, u, "shake", edgeUsed, status, result, "", "", field(j, "detail", ""));
                    // Humans do not shake at exactly the asked interval: +0..50 %. A script shakes as soon as allowed,
                    // on its
                    // whole-second clock, so one operator's accounts line up.
                    u.nextAt = u.scripted()
                            ? (t + wait + 999) / 1000 * 1000
                            : t + wait + (long) (random.nextDouble() * wait * 0.5);
                    due.add(u);
                });
    }

    /** A script opens a win this long after the shake's answer, every time. */
    static final long SCRIPT_OPEN_DELAY_MS = 300;

    /** The app version a client claims: its User-Agent's, or what a script fills in. */
    static String clientVersion(Device device) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("RedPacket/([0-9.]+)").matcher(device.userAgent());
        return m.find() ? m.group(1) : "8.0.43";
    }

    private void open(User u, Pending p, long start, PriorityQueue<User> due) {
        if (p.account.session == null) {
            // The presenting account (an accomplice) logs in first; the open waits for it.
            u.toOpen.addFirst(p);
            login(u, p.account, 0, start, due);
            return;
        }
        String device = p.device != null ? p.device : u.device.id();
        String form = "token=" + p.token + "&device=" + device + "&clientVersion=" + clientVersion(u.device);
        send(
                u.homeEdge,
                u.ip,
                u.device.userAgent(),
                p.account.session,
                "/open",
                form,
                start,
                openLatencies,
                (status, j) -> {
                    long t = (System.nanoTime() - start) / 1_000_000;
                    String result = field(j, "result", "error");
                    count(p.kind + "." + result);
                    if (result.equals("retry")) {
                        // Nothing was lost: the same open is sent again after the asked delay.
                        u.toOpen.addFirst(new Pending(
                                p.token,
                                t + j.path("retryAfterMs").asLong(1000),
                                p.asUser,
                                p.kind,
                                p.account,
                                p.device));
                    } else if (result.equals("unauthenticated") && !p.kind.startsWith("hijack")) {
                        sessionRefused(u, p.account);
                        u.toOpen.addFirst(p);
                    } else if (result.equals("opened") && p.kind.equals("open")) {
                        u.openedFen += j.path("amountFen").asLong(0);
                    }
                    log(
                            t,
                            u,
                            p.kind,
                            u.homeEdge,
                            status,
                            result,
                            field(j, "envelopeId", ""),
                            field(j, "amountFen", ""),
                            field(j, "reason", ""));
                    u.nextAt = t + 100 + (u.scripted() ? 0 : random.nextInt(400));
                    due.add(u);
                });
    }

    private interface Answer {
        void accept(int status, JsonNode body);
    }

    /**
     * {@code ip}: the address the user comes from, as a trusted proxy in front of the edges would forward it (edges
     * started with --trusted-proxies for the gateway's address); {@code agent}: the client's User-Agent; {@code session}:
     * the credential presented.
     */
    private void send(
            int edge,
            String ip,
            String agent,
            String session,
            String path,
            String form,
            long start,
            List<long[]> latencies,
            Answer answer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(config.edges().get(edge).resolve(path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Forwarded-For", ip)
                .header("User-Agent", agent)
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (session != null) {
            b.header("Authorization", "Session " + session);
        }
        HttpRequest req = b.build();
        inFlight++;
        long sent = System.nanoTime();
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                .whenComplete((res, ex) -> completions.add(() -> {
                    inFlight--;
                    latencies.add(new long[] {System.nanoTime() - sent});
                    if (ex != null) {
                        markDown(edge, (System.nanoTime() - start) / 1_000_000);
                        answer.accept(
                                0,
                                JSON.createObjectNode()
                                        .put("result", "error")
                                        .put("detail", ex.getClass().getSimpleName()));
                    } else {
                        answer.accept(res.statusCode(), answerOf(res.body()));
                    }
                }));
    }

    private void markDown(int edge, long now) {
        if (down.putIfAbsent(edge, now) == null && down.size() < edgeIds.size()) {
            liveRing = new EdgeRing(
                    edgeIds.stream().filter(e -> !down.containsKey(e)).toList());
        } else if (down.size() == edgeIds.size()) {
            down.remove(edge);
        }
    }

    /** Edges marked down long enough ago are tried again (a restarted edge gets its users back). */
    private void reprobe(long now, long start) {
        if (!down.isEmpty() && down.values().removeIf(since -> now - since > DOWN_RETRY_MS)) {
            liveRing = new EdgeRing(
                    edgeIds.stream().filter(e -> !down.containsKey(e)).toList());
        }
    }

    /** Logs an account in (async); the user's next turn comes when the answer is in. */
    private void login(User u, Account a, long lifetimeS, long start, PriorityQueue<User> due) {
        if (a.loggingIn) {
            return;
        }
        a.loggingIn = true;
        String form = "user=" + a.id + "&secret=" + a.secret + "&device=" + a.device
                + (lifetimeS > 0 ? "&lifetimeS=" + lifetimeS : "");
        HttpRequest req = HttpRequest.newBuilder(config.identity().resolve("/login"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Forwarded-For", u.ip)
                .header("User-Agent", u.device.userAgent())
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        inFlight++;
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                .whenComplete((res, ex) -> completions.add(() -> {
                    inFlight--;
                    a.loggingIn = false;
                    long t = (System.nanoTime() - start) / 1_000_000;
                    boolean ok = ex == null && res.statusCode() == 200;
                    count("login." + (ok ? "ok" : "failed"));
                    if (ok) {
                        a.session = field(answerOf(res.body()), "session", null);
                        if (a == u.account && u.behaviour == Behaviour.HONEST) {
                            honestLoggedIn.add(u);
                        }
                    }
                    log(
                            t,
                            u,
                            "login",
                            -1,
                            ex == null ? res.statusCode() : 0,
                            ok ? "ok" : "failed",
                            "",
                            "",
                            a == u.account ? "" : "as " + a.id);
                    // Login takes a human a moment; a failed one is retried a little later.
                    u.nextAt = t + (ok ? 200 + random.nextInt(300) : 2_000);
                    due.add(u);
                }));
    }

    /**
     * The edge refused a session: an honest client logs in again (once it expired, or its key was retired); the
     * expired-session fraudster keeps presenting the old one.
     */
    private void sessionRefused(User u, Account a) {
        if (u.behaviour != Behaviour.EXPIRED_SESSION) {
            a.session = null;
        }
    }

    /** A STOLEN_SESSION turn: shake as a victim with the victim's session, from this fraudster's address and device. */
    private void hijack(User u, long start, PriorityQueue<User> due) {
        User victim = honestLoggedIn.get(random.nextInt(honestLoggedIn.size()));
        Account stolen = victim.account;
        String device = u.copiesDevice ? victim.account.device : u.device.id();
        u.shakes++;
        int edge = victim.homeEdge;
        send(
                edge,
                u.ip,
                u.device.userAgent(),
                stolen.session,
                "/shake",
                "device=" + device,
                start,
                shakeLatencies,
                (status, j) -> {
                    long t = (System.nanoTime() - start) / 1_000_000;
                    String result = field(j, "result", "error");
                    count("hijack-shake." + result);
                    if (result.equals("envelope")) {
                        u.won++;
                        u.toOpen.add(new Pending(
                                field(j, "token", null),
                                t + config.openDelayMs(),
                                victim.id,
                                "hijack-open",
                                stolen,
                                device));
                    }
                    log(
                            t,
                            u,
                            "hijack-shake",
                            edge,
                            status,
                            result,
                            "",
                            "",
                            "victim " + victim.id + "; " + field(j, "reason", field(j, "detail", "")));
                    long wait =
                            j.path("nextShakeMs").asLong(j.path("retryAfterMs").asLong(1000));
                    u.nextAt = t + wait + (long) (random.nextDouble() * wait * 0.5);
                    due.add(u);
                });
    }

    private String forgedToken() {
        byte[] b = new byte[io.redpacket.token.TokenLayout.TOKEN_BYTES];
        random.nextBytes(b);
        b[0] = (byte) io.redpacket.token.TokenLayout.VERSION;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private void count(String key) {
        count(key, 1);
    }

    private void count(String key, long n) {
        counts.merge(key, n, Long::sum);
    }

    private void log(
            long t,
            User u,
            String action,
            int edge,
            int status,
            String result,
            String envelopeId,
            String amount,
            String detail) {
        try {
            actions.write(t + "," + u.id + "," + u.behaviour + "," + action + "," + edge + "," + status + "," + result
                    + "," + envelopeId + "," + amount + "," + detail.replace(',', ';') + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The ground truth of accounts ({@code CrowdAccount} records): one per account the crowd registered. */
    public static final String USERS_FILE = "users.avro";
    /** Every action of every user, one CSV row each, in order. */
    public static final String ACTIONS_FILE = "actions.csv";
    /** The behaviour of a replayer's accomplice account in the ground truth (not a {@link Behaviour}: it never acts alone). */
    public static final String ACCOMPLICE = "REPLAY_ACCOMPLICE";

    private void writeUsers(Path file, List<User> users) throws IOException {
        List<CrowdAccount> accounts = new ArrayList<>(users.size());
        for (User u : users) {
            PlannedUser p = u.plan;
            String group = p.groupId() == null || p.groupId().isEmpty() ? null : p.groupId();
            accounts.add(new CrowdAccount(
                    u.id,
                    u.behaviour.toString(),
                    u.behaviour.fraud(),
                    p.first().device().id(),
                    p.first().ip(),
                    u.homeEdge,
                    p.population(),
                    group,
                    p.stints().stream().map(s -> s.device().id()).distinct().toList(),
                    p.stints().stream()
                            .flatMap(s -> s.ips().stream())
                            .distinct()
                            .toList()));
            if (u.accomplice != null) {
                // Its own account: one the fraudster registered and presents tokens under, on the same phone.
                accounts.add(new CrowdAccount(
                        u.accomplice.id,
                        ACCOMPLICE,
                        true,
                        p.first().device().id(),
                        p.first().ip(),
                        u.homeEdge,
                        p.population(),
                        group,
                        List.of(p.first().device().id()),
                        List.of(p.first().ip())));
            }
        }
        AtomicFiles.write(file, tmp -> AvroFiles.writeAll(tmp, accounts, CrowdAccount.getClassSchema()));
    }

    private void writeSummary(Path file, List<User> users) throws IOException {
        Map<Behaviour, long[]> byBehaviour = new EnumMap<>(Behaviour.class);
        for (User u : users) {
            long[] a = byBehaviour.computeIfAbsent(u.behaviour, k -> new long[4]);
            a[0]++;
            a[1] += u.shakes;
            a[2] += u.won;
            a[3] += u.openedFen;
        }
        StringBuilder sb =
                new StringBuilder("{\n  \"users\": ").append(users.size()).append(",\n  \"counts\": {");
        counts.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append("\n    \"")
                        .append(e.getKey())
                        .append("\": ")
                        .append(e.getValue())
                        .append(','));
        if (!counts.isEmpty()) {
            sb.setLength(sb.length() - 1);
        }
        sb.append("\n  },\n  \"byBehaviour\": {");
        byBehaviour.forEach((b, a) -> sb.append("\n    \"")
                .append(b)
                .append("\": {\"users\": ")
                .append(a[0])
                .append(", \"shakes\": ")
                .append(a[1])
                .append(", \"won\": ")
                .append(a[2])
                .append(", \"openedFen\": ")
                .append(a[3])
                .append("},"));
        sb.setLength(sb.length() - 1);
        sb.append("\n  },\n  \"shakeLatencyMs\": ")
                .append(percentiles(shakeLatencies))
                .append(",\n  \"openLatencyMs\": ")
                .append(percentiles(openLatencies))
                .append("\n}\n");
        AtomicFiles.write(file, tmp -> Files.writeString(tmp, sb.toString()));
    }

    static String percentiles(List<long[]> latencies) {
        long[] ns = latencies.stream().mapToLong(a -> a[0]).sorted().toArray();
        if (ns.length == 0) {
            return "{}";
        }
        return String.format(
                java.util.Locale.ROOT,
                "{\"count\": %d, \"p50\": %.2f, \"p99\": %.2f, \"max\": %.2f}",
                ns.length,
                ns[(int) (ns.length * 0.50)] / 1e6,
                ns[Math.min(ns.length - 1, (int) (ns.length * 0.99))] / 1e6,
                ns[ns.length - 1] / 1e6);
    }
}
