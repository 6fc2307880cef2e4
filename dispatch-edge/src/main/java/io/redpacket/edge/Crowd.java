package io.redpacket.edge;

import io.redpacket.io.AtomicFiles;
import io.redpacket.io.FlatJson;
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
import java.util.Arrays;
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
 * server asks for (next shake, retry-after) plus jitter, and opens what it won after a short delay. A share of
 * users are fraudsters with one behaviour each; the ground truth (who is a fraudster, and every action taken)
 * is written next to the summary so later stages can be scored against it. New behaviours are added to
 * {@link Behaviour} and {@link #turn}.
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
        /** Sends opens with forged tokens (random, or a genuine one with a flipped bit). */
        FORGE,
        /** Spreads shakes over every edge and throws away the state blob, to get past the caps. */
        CAP_BYPASS;

        boolean fraud() {
            return this != HONEST;
        }
    }

    public record Config(Map<Integer, URI> edges, int users, double fraudShare, Duration duration, int maxInFlight, long seed,
                         long openDelayMs, int farmSize, long arrivalMs) {
        /** Users all arrive within the first second. */
        public Config(Map<Integer, URI> edges, int users, double fraudShare, Duration duration, int maxInFlight, long seed,
                      long openDelayMs, int farmSize) {
            this(edges, users, fraudShare, duration, maxInFlight, seed, openDelayMs, farmSize, 1_000);
        }
    }

    private record Pending(String token, long openAt, String asUser, String kind) {}

    private static final class User {
        final String id;
        final Behaviour behaviour;
        final String device;
        final String ip;
        int homeEdge;
        String state;
        boolean capped;
        int shakes;
        int won;
        long openedFen;
        int edgeCursor;
        long nextAt;
        final ArrayDeque<Pending> toOpen = new ArrayDeque<>();

        User(String id, Behaviour behaviour, String device, String ip, int homeEdge) {
            this.id = id;
            this.behaviour = behaviour;
            this.device = device;
            this.ip = ip;
            this.homeEdge = homeEdge;
        }
    }


    private final Config config;
    private final Random random;
    private final HttpClient http;
    private final ExecutorService httpThreads;
    private final List<Integer> edgeIds;
    /** Edges that stopped answering (connection refused or timed out); their users move on the ring, as an app would. */
    private final java.util.Set<Integer> down = new java.util.HashSet<>();
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
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(httpThreads)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.edgeIds = new ArrayList<>(config.edges().keySet());
    }

    /** Runs the crowd for the configured duration; writes users.csv, actions.csv and summary.json to {@code out}. */
    public Map<String, Long> run(Path out) throws IOException, InterruptedException {
        Files.createDirectories(out);
        List<User> users = createUsers();
        writeUsers(out.resolve("users.csv"), users);
        Path actionsFile = out.resolve("actions.csv");
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

    private List<User> createUsers() {
        EdgeRing ring = new EdgeRing(edgeIds);
        liveRing = ring;
        List<User> users = new ArrayList<>(config.users());
        Behaviour[] frauds = Arrays.stream(Behaviour.values()).filter(Behaviour::fraud).toArray(Behaviour[]::new);
        int farm = 0;
        for (int i = 0; i < config.users(); i++) {
            String id = "user-" + config.seed() + "-" + i;
            Behaviour b = random.nextDouble() < config.fraudShare() ? frauds[random.nextInt(frauds.length)] : Behaviour.HONEST;
            String device;
            String ip;
            if (b == Behaviour.SHARED_DEVICE) {
                // Farms fill up one after the other: farmSize accounts per device and IP.
                int f = farm++ / Math.max(1, config.farmSize());
                device = "farm-device-" + f;
                ip = "10.66." + (f / 250) + "." + (f % 250 + 1);
            } else {
                device = "device-" + Long.toHexString(random.nextLong());
                ip = "10." + random.nextInt(64) + "." + random.nextInt(256) + "." + (1 + random.nextInt(250));
            }
            User u = new User(id, b, device, ip, ring.edgeFor(id));
            // People join the show over time: arrivals spread uniformly over the arrival window.
            u.nextAt = (long) (random.nextDouble() * Math.max(1, config.arrivalMs()));
            users.add(u);
        }
        return users;
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

    /** One action of one user; the user is re-queued when the answer says when to come back. */
    private void turn(User u, long now, long start, PriorityQueue<User> due) {
        if (down.contains(u.homeEdge)) {
            u.homeEdge = liveRing.edgeFor(u.id);
        }
        Pending p = u.toOpen.peek();
        if (p != null && p.openAt <= now) {
            u.toOpen.poll();
            open(u, p, start, due);
            return;
        }
        if (u.behaviour == Behaviour.FORGE && random.nextInt(4) == 0) {
            open(u, new Pending(forgedToken(), now, u.id, "forged-open"), start, due);
            return;
        }
        if (u.capped) {
            if (p != null) {
                u.nextAt = p.openAt;
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
        String form = "user=" + u.id + (state != null ? "&state=" + state : "");
        int edgeUsed = edge;
        send(edge, u.ip, "/shake", form, start, shakeLatencies, (status, body) -> {
            long t = (System.nanoTime() - start) / 1_000_000;
            Map<String, String> j = FlatJson.fields(body);
            String result = j.getOrDefault("result", "error");
            count("shake." + result);
            if (j.containsKey("state")) {
                u.state = j.get("state");
            }
            long wait = parseLong(j.getOrDefault("nextShakeMs", j.getOrDefault("retryAfterMs", "1000")), 1000);
            switch (result) {
                case "envelope" -> {
                    u.won++;
                    long at = t + config.openDelayMs() / 2 + (long) (random.nextDouble() * config.openDelayMs());
                    u.toOpen.add(new Pending(j.get("token"), at, u.id, "open"));
                    if (u.behaviour == Behaviour.REPLAY) {
                        u.toOpen.add(new Pending(j.get("token"), at + 200, u.id, "replay-open"));
                        u.toOpen.add(new Pending(j.get("token"), at + 400, u.id + "-accomplice", "stolen-open"));
                    }
                }
                case "capped" -> u.capped = true;
                default -> { }
            }
            log(t, u, "shake", edgeUsed, status, result, "", "", j.getOrDefault("detail", ""));
            // Humans do not shake at exactly the asked interval: +0..50 %.
            u.nextAt = t + wait + (long) (random.nextDouble() * wait * 0.5);
            due.add(u);
        });
    }

    private void open(User u, Pending p, long start, PriorityQueue<User> due) {
        String form = "user=" + p.asUser + "&token=" + p.token + "&device=" + u.device + "&clientVersion=crowd-1";
        send(u.homeEdge, u.ip, "/open", form, start, openLatencies, (status, body) -> {
            long t = (System.nanoTime() - start) / 1_000_000;
            Map<String, String> j = FlatJson.fields(body);
            String result = j.getOrDefault("result", "error");
            count(p.kind + "." + result);
            if (result.equals("retry")) {
                // Nothing was lost: the same open is sent again after the asked delay.
                u.toOpen.addFirst(new Pending(p.token, t + parseLong(j.get("retryAfterMs"), 1000), p.asUser, p.kind));
            } else if (result.equals("opened") && p.kind.equals("open")) {
                u.openedFen += parseLong(j.get("amountFen"), 0);
            }
            log(t, u, p.kind, u.homeEdge, status, result, j.getOrDefault("envelopeId", ""), j.getOrDefault("amountFen", ""),
                    j.getOrDefault("reason", ""));
            u.nextAt = t + 100 + random.nextInt(400);
            due.add(u);
        });
    }

    private interface Answer {
        void accept(int status, String body);
    }

    /** {@code ip}: the address the user claims, honoured by edges started with --trust-forwarded-for. */
    private void send(int edge, String ip, String path, String form, long start, List<long[]> latencies, Answer answer) {
        HttpRequest req = HttpRequest.newBuilder(config.edges().get(edge).resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Forwarded-For", ip)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        inFlight++;
        long sent = System.nanoTime();
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((res, ex) -> completions.add(() -> {
            inFlight--;
            latencies.add(new long[] {System.nanoTime() - sent});
            if (ex != null) {
                markDown(edge);
                answer.accept(0, "{\"result\":\"error\",\"detail\":\"" + ex.getClass().getSimpleName() + "\"}");
            } else {
                answer.accept(res.statusCode(), res.body());
            }
        }));
    }

    private void markDown(int edge) {
        if (down.add(edge) && down.size() < edgeIds.size()) {
            liveRing = new EdgeRing(edgeIds.stream().filter(e -> !down.contains(e)).toList());
        } else if (down.size() == edgeIds.size()) {
            down.remove(edge);
        }
    }

    private String forgedToken() {
        byte[] b = new byte[io.redpacket.token.TokenLayout.TOKEN_BYTES];
        random.nextBytes(b);
        b[0] = (byte) io.redpacket.token.TokenLayout.VERSION;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private void count(String key) {
        counts.merge(key, 1L, Long::sum);
    }

    private void log(long t, User u, String action, int edge, int status, String result, String envelopeId, String amount, String detail) {
        try {
            actions.write(t + "," + u.id + "," + u.behaviour + "," + action + "," + edge + "," + status + "," + result + ","
                    + envelopeId + "," + amount + "," + detail.replace(',', ';') + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }


    private static long parseLong(String s, long fallback) {
        try {
            return s == null ? fallback : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private void writeUsers(Path file, List<User> users) throws IOException {
        AtomicFiles.write(file, tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write("userId,behaviour,fraud,deviceId,ip,homeEdge\n");
                for (User u : users) {
                    w.write(u.id + "," + u.behaviour + "," + u.behaviour.fraud() + "," + u.device + "," + u.ip + "," + u.homeEdge + "\n");
                }
            }
        });
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
        StringBuilder sb = new StringBuilder("{\n  \"users\": ").append(users.size()).append(",\n  \"counts\": {");
        counts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                sb.append("\n    \"").append(e.getKey()).append("\": ").append(e.getValue()).append(','));
        if (!counts.isEmpty()) {
            sb.setLength(sb.length() - 1);
        }
        sb.append("\n  },\n  \"byBehaviour\": {");
        byBehaviour.forEach((b, a) -> sb.append("\n    \"").append(b).append("\": {\"users\": ").append(a[0]).append(", \"shakes\": ")
                .append(a[1]).append(", \"won\": ").append(a[2]).append(", \"openedFen\": ").append(a[3]).append("},"));
        sb.setLength(sb.length() - 1);
        sb.append("\n  },\n  \"shakeLatencyMs\": ").append(percentiles(shakeLatencies))
                .append(",\n  \"openLatencyMs\": ").append(percentiles(openLatencies)).append("\n}\n");
        AtomicFiles.write(file, tmp -> Files.writeString(tmp, sb.toString()));
    }

    static String percentiles(List<long[]> latencies) {
        long[] ns = latencies.stream().mapToLong(a -> a[0]).sorted().toArray();
        if (ns.length == 0) {
            return "{}";
        }
        return String.format(java.util.Locale.ROOT, "{\"count\": %d, \"p50\": %.2f, \"p99\": %.2f, \"max\": %.2f}", ns.length,
                ns[(int) (ns.length * 0.50)] / 1e6, ns[Math.min(ns.length - 1, (int) (ns.length * 0.99))] / 1e6, ns[ns.length - 1] / 1e6);
    }
}
