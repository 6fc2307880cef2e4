package io.redpacket.edge;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.redpacket.edge.dispense.DispenseQuota;
import io.redpacket.edge.dispense.ShardTable;
import io.redpacket.edge.guard.EdgeLimits;
import io.redpacket.edge.http.EdgeInitializer;
import io.redpacket.edge.http.HttpReplies;
import io.redpacket.edge.state.KeyedHash;
import io.redpacket.edge.state.SessionCache;
import io.redpacket.kafka.LocalKafkaBroker;
import io.redpacket.testkit.GeneratedCampaign;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The edge's benchmark (a documented command, not a test; see dispatch-edge/README.md, Benchmark). In one run on
 * loopback, with wrk as the load generator on the same cores:
 * <ol>
 *   <li>bare: a Netty keep-alive server answering a fixed body of a shake answer's size (the ceiling);</li>
 *   <li>edge shake: the real edge verifying the user's session credential (1 HMAC-SHA256), dispensing from a
 *       memory-mapped file, signing the user-bound token and the state blob (2 HMAC-SHA256), caps, quota, per-user
 *       rate limit, load shedding and connection guard on (per-address rate off: wrk is one address playing a million
 *       users);</li>
 *   <li>redis shake: the same HTTP front (same pipeline, same event loops, the same local session check), but each
 *       shake runs the usual open-source grab in Redis with a Lua script (per-user cap, RPOP of a pre-split amount,
 *       record, enqueue);</li>
 *   <li>edge open: the real open path (local verification, Kafka send with acks=all, answer after the ack).</li>
 * </ol>
 * Prints requests/s and latency percentiles and the ratios the issue sets floors on.
 */
public final class EdgeBenchmark {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("([0-9]+) requests in ");
    /** The second line of bash's {@code times}: user and system time of its children (wrk). */
    private static final Pattern WRK_CPU = Pattern.compile(
            "^[0-9]+m[0-9.]+s [0-9]+m[0-9.]+s\\s*\\n([0-9]+)m([0-9.]+)s ([0-9]+)m([0-9.]+)s\\s*$", Pattern.MULTILINE);

    private static final Pattern PCT =
            Pattern.compile("^\\s+(50|75|90|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    /** The usual grab, with the same per-user cap as the edge (3 envelopes), so both designs see the same workload. */
    private static final String GRAB_LUA = String.join(
            "\n",
            "if redis.call('HINCRBY', KEYS[2], ARGV[1], 1) > 3 then return 'capped' end",
            "local e = redis.call('RPOP', KEYS[1])",
            "if not e then redis.call('HINCRBY', KEYS[2], ARGV[1], -1) return false end",
            "redis.call('HSET', KEYS[3], e, ARGV[1])",
            "redis.call('LPUSH', KEYS[4], e .. '|' .. ARGV[1] .. '|' .. ARGV[2])",
            "return e");

    private static final java.util.concurrent.atomic.AtomicLong RUN_NONCE =
            new java.util.concurrent.atomic.AtomicLong();
    /** Sessions of the pool the shake script uses (0: all of them, every shake by a user not seen for a long time). */
    private static int activeUsers;

    /**
     * One wrk run. {@code serverCpuUs}: CPU time of the server side per request (this JVM, which hosts only the server
     * under test while wrk runs, plus redis-server for the Redis design), {@code wrkCpuUs}: the load generator's; both
     * from the kernel's accounting, so they hold on a loaded machine where req/s does not.
     */
    record Result(
            String name,
            double rps,
            Map<String, Double> pctMs,
            String raw,
            String load,
            double serverCpuUs,
            double wrkCpuUs) {}

    /** The machine's 1-minute load average now: printed with every figure, since the cores are shared. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The bare and Redis fronts use the edge's HTTP pipeline (decoder, framing check, aggregator) without its guard. */
    static final EdgeLimits BENCH_LIMITS = EdgeLimits.defaults();

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int seconds = Integer.parseInt(opt.getOrDefault("seconds", "10"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "3"));
        int connections = Integer.parseInt(opt.getOrDefault("connections", "32"));
        int openConnections = Integer.parseInt(opt.getOrDefault("open-connections", "256"));
        int wrkThreads = Integer.parseInt(opt.getOrDefault("wrk-threads", "2"));
        int ioThreads = Integer.parseInt(opt.getOrDefault("io-threads", "2"));
        int envelopes = Integer.parseInt(opt.getOrDefault("envelopes", "5000000"));
        int repeat = Integer.parseInt(opt.getOrDefault("repeat", "3"));
        int redisPreload = Integer.parseInt(opt.getOrDefault("redis-envelopes", "3000000"));
        int openTokens = Integer.parseInt(opt.getOrDefault("open-tokens", "400000"));
        int sessions = Integer.parseInt(opt.getOrDefault("sessions", "2000000"));
        activeUsers = Integer.parseInt(opt.getOrDefault("active-users", "0"));
        Path work = Path.of(opt.getOrDefault("dir", "target/edge-bench")).toAbsolutePath();
        Files.createDirectories(work);
        cleanPreviousRuns(work);
        System.out.printf(
                "edge benchmark: %d s per run (+%d s warm-up), wrk -t%d -c%d (opens -c%d), server io threads %d, %d cores shared by"
                        + " server, wrk, redis and kafka; shakes by %s%n",
                seconds,
                warmup,
                wrkThreads,
                connections,
                openConnections,
                ioThreads,
                Runtime.getRuntime().availableProcessors(),
                activeUsers > 0
                        ? "a pool of " + activeUsers + " active users (repeat shakes)"
                        : "users drawn in turn from " + sessions + " sessions (a new user each time)");

        Path variant = work.resolve("campaign-" + System.currentTimeMillis());
        long t0 = System.nanoTime();
        int sponsors = 8;
        // One slot of a day: the whole benchmark runs inside it.
        GeneratedCampaign campaign = GeneratedCampaign.builder()
                .sponsors(sponsors)
                .perAllocation(envelopes / sponsors)
                .slotMs(24L * 3600 * 1000)
                .sessionRing()
                .build(variant);
        System.out.printf(
                "campaign: %d envelopes generated (real generator) in %.1f s%n",
                campaign.envelopeCount(), (System.nanoTime() - t0) / 1e9);
        // The campaign's slot starts at GeneratedCampaign.T0; run the edge's clock inside it, ticking in real time.
        long offset = GeneratedCampaign.T0 + 1000 - System.currentTimeMillis();
        EdgeClock clock = () -> System.currentTimeMillis() + offset;

        List<Result> results = new ArrayList<>();
        try (LocalKafkaBroker broker =
                LocalKafkaBroker.start(Files.createDirectories(work.resolve("kafka-" + System.currentTimeMillis())))) {
            broker.createTopic("bench-opens", 3);
            EdgeSettings s = EdgeSettings.builder(1)
                    .dispensePerSecond(DispenseQuota.MAX_RATE)
                    .userCacheSize(1 << 20)
                    .build();
            EdgeLimits limits =
                    EdgeLimits.defaults().withConnections(20_000, 1024).withAddressRate(0, 1);
            Edge.Config cfg = Edge.Config.builder(
                            variant,
                            s,
                            ShardTable.primaryOnly(1, List.of(0)),
                            work.resolve("state-" + System.currentTimeMillis()),
                            GeneratedCampaign.PASSWORD.toCharArray(),
                            campaign.sessionRingFile())
                    .limits(limits)
                    .kafka(broker.bootstrapServers(), "bench-opens", null, null)
                    .deliveryTimeout(Duration.ofSeconds(60))
                    .ioThreads(ioThreads)
                    .build();
            try (Edge edge = Edge.assemble(cfg, clock).serve()) {
                Path sessionFile = writeSessions(work.resolve("sessions.txt"), campaign, sessions);
                Path shakeLua = writeLua(work.resolve("shake.lua"), shakeScript(sessionFile));
                Path tokens = writeTokens(work.resolve("open-tokens.txt"), edge.service(), campaign, openTokens);
                Path openLua = writeLua(work.resolve("open.lua"), openScript(tokens));
                try (BareServer bare = new BareServer(ioThreads);
                        RedisFront redis =
                                RedisFront.start(work, ioThreads, redisPreload, campaign.sessionRing, clock)) {
                    // Same wrk script for all three shake runs, so the load generator costs the same in each. The three
                    // alternate, `repeat` times, and the median of each is kept: the cores are shared with whatever
                    // else runs.
                    List<List<Result>> rounds = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                    for (int r = 0; r < repeat; r++) {
                        int w = r == 0 ? warmup : 0;
                        rounds.get(0)
                                .add(wrk(
                                        "bare fixed body",
                                        bare.port,
                                        "/",
                                        shakeLua,
                                        seconds,
                                        w,
                                        wrkThreads,
                                        connections));
                        rounds.get(1)
                                .add(wrk(
                                        "edge shake",
                                        edge.server().port(),
                                        "/",
                                        shakeLua,
                                        seconds,
                                        w,
                                        wrkThreads,
                                        connections));
                        rounds.get(2)
                                .add(wrk(
                                        "redis+lua shake",
                                        redis.port(),
                                        "/",
                                        shakeLua,
                                        seconds,
                                        w,
                                        wrkThreads,
                                        connections,
                                        redis.pid()));
                    }
                    for (List<Result> runs : rounds) {
                        List<Result> sorted = new ArrayList<>(runs);
                        sorted.sort(java.util.Comparator.comparingDouble(Result::rps));
                        results.add(sorted.get(sorted.size() / 2));
                    }
                }
                results.add(wrk(
                        "edge open (kafka acks=all)",
                        edge.server().port(),
                        "/",
                        openLua,
                        seconds,
                        0,
                        wrkThreads,
                        openConnections));
                String metrics = edge.service().metricsText();
                System.out.println(metrics.lines()
                        .filter(l -> l.startsWith("redpacket_edge_dispensed_total")
                                || l.startsWith("redpacket_edge_opens_accepted_total")
                                || l.startsWith("redpacket_edge_final_system_failures_total")
                                || l.startsWith("redpacket_edge_nothing_total")
                                || l.startsWith("redpacket_edge_opens_replayed_total")
                                || l.startsWith("redpacket_edge_capped_total")
                                || l.startsWith("redpacket_edge_cursor_waits_total")
                                || l.startsWith("redpacket_edge_unauthenticated_total") && !l.endsWith(" 0.0")
                                || l.startsWith("redpacket_edge_rate_limited_total")
                                || l.startsWith("redpacket_edge_slow_downs_total"))
                        .reduce("", (a, b) -> a + b + "\n"));
                System.out.printf(
                        "edge shakes: %s dispensed, %s capped, %s nothing (users come back to the pool: up to 3 wins each, then capped)%n",
                        metricValue(metrics, "redpacket_edge_dispensed_total"),
                        metricValue(metrics, "redpacket_edge_capped_total"),
                        metricValue(metrics, "redpacket_edge_nothing_total"));
            }
        }
        System.out.printf("redis shakes: %d capped (3 per user, as the edge)%n", REDIS_CAPPED.get());
        if (EMPTY_GRABS.get() > 0) {
            System.out.println(
                    "WARNING: " + EMPTY_GRABS.get() + " Redis grabs found the list empty: raise --redis-envelopes");
        }
        report(results, work.resolve("results.txt"));
    }

    private static String metricValue(String metrics, String name) {
        return metrics.lines()
                .filter(l -> l.startsWith(name + "{"))
                .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .findFirst()
                .orElse("?");
    }

    /** Keeps the work directory from growing run after run (each run writes a campaign, a broker log, Redis files). */
    private static void cleanPreviousRuns(Path work) throws IOException {
        try (var dirs = Files.list(work)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().matches("(campaign|kafka|state|redis)-\\d+"))
                    .toList()) {
                try (var tree = Files.walk(d)) {
                    tree.sorted(java.util.Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /**
     * Each wrk thread takes every nthreads-th session of the file and walks through them, carrying on where the previous
     * run of that thread stopped would need state across runs; instead each run starts at a random place. A user
     * comes back once the whole pool went by (tens of seconds), so it stays within the per-user rate and wins up to
     * three times (one per sponsor) before it is capped. With {@code --active-users P} only the first P sessions are
     * used: each user comes back every P / rate seconds (about once a second for P near the rate, the server's pace),
     * as real users do with their session. The requests are built once, in init: wrk's per-request work is then a
     * table lookup, the same for every server measured.
     */
    private static String shakeScript(Path sessions) {
        return String.join(
                "\n",
                "local reqs = {}",
                "local n = 0",
                "local i = 0",
                "local threads = 0",
                "function setup(thread) threads = threads + 1; thread:set('tid', threads) end",
                "function init(args)",
                "  local tid = wrk.thread:get('tid')",
                "  local nthreads = tonumber(args[2]) or 1",
                "  local k = 0",
                "  local active = tonumber(args[3]) or 0",
                "  for line in io.lines('" + sessions + "') do",
                "    k = k + 1",
                "    if active > 0 and k > active then break end",
                "    if (k - 1) % nthreads == tid - 1 then",
                "      local sp = line:find(' ')",
                "      n = n + 1",
                "      reqs[n] = wrk.format('POST', '/shake', {['Content-Type'] = 'application/x-www-form-urlencoded',"
                        + " ['Authorization'] = 'Session ' .. line:sub(1, sp - 1)}, 'device=' .. line:sub(sp + 1))",
                "    end",
                "  end",
                "  i = ((tonumber(args[1]) or 0) * 1000003) % n",
                "end",
                "request = function()",
                "  i = i + 1",
                "  if i > n then i = 1 end",
                "  return reqs[i]",
                "end",
                "");
    }

    /** Sessions of distinct users (user, device), one per line: the credential, a space, the device. */
    private static Path writeSessions(Path file, GeneratedCampaign campaign, int n) throws IOException {
        long start = System.nanoTime();
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < n; i++) {
                String user = "b-" + i;
                w.write(campaign.session(user) + " " + GeneratedCampaign.device(user) + "\n");
            }
        }
        System.out.printf("sessions: %,d issued and written in %.1f s%n", n, (System.nanoTime() - start) / 1e9);
        return file;
    }

    private static String openScript(Path tokens) {
        return String.join(
                "\n",
                "local lines = {}",
                "local n = 0",
                "local i = 0",
                "local threads = 0",
                "function setup(thread) threads = threads + 1; thread:set('tid', threads) end",
                // Each wrk thread takes every nthreads-th token: no token is opened twice while tokens last.
                "function init(args)",
                "  local tid = wrk.thread:get('tid')",
                "  local nthreads = tonumber(args[2]) or 1",
                "  local k = 0",
                "  for line in io.lines('" + tokens + "') do",
                "    k = k + 1",
                "    if (k - 1) % nthreads == tid - 1 then n = n + 1; lines[n] = line end",
                "  end",
                "end",
                "request = function()",
                "  i = i + 1",
                "  if i > n then i = 1 end",
                "  local bar = lines[i]:find('|')",
                "  return wrk.format('POST', '/open', {['Content-Type'] = 'application/x-www-form-urlencoded', ['Authorization'] = 'Session ' .. lines[i]:sub(1, bar - 1)}, lines[i]:sub(bar + 1))",
                "end",
                "");
    }

    private static Path writeLua(Path file, String text) throws IOException {
        Files.writeString(file, text);
        return file;
    }

    /** Tokens won by distinct users, straight from the service (no HTTP), for the open run. */
    private static Path writeTokens(Path file, EdgeService service, GeneratedCampaign campaign, int n)
            throws IOException {
        String[] sessions = new String[n];
        for (int i = 0; i < n; i++) {
            sessions[i] = campaign.session("open-user-" + i);
        }
        long start = System.nanoTime();
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < n; i++) {
                String user = "open-user-" + i;
                ShakeResult r = service.shake(sessions[i], GeneratedCampaign.device(user), null);
                if (r.kind() != ShakeResult.Kind.ENVELOPE) {
                    throw new IllegalStateException("token " + i + ": " + r.toJson());
                }
                w.write(sessions[i] + "|device=" + GeneratedCampaign.device(user) + "&token=" + r.token() + "\n");
            }
        }
        System.out.printf(
                "in-process shake (service only, one thread, session verified, incl. writing the token file): %.2f us each over %d%n",
                (System.nanoTime() - start) / 1e3 / n, n);
        return file;
    }

    static Result wrk(
            String name,
            int port,
            String path,
            Path script,
            int seconds,
            int warmup,
            int threads,
            int connections,
            long... otherServerPids)
            throws Exception {
        String url = "http://127.0.0.1:" + port + path;
        if (warmup > 0) {
            run(cmd(url, script, warmup, threads, connections));
        }
        // CPU is counted from the moment wrk says "Running" (its script's init, which loads the session pool, is done)
        // to its exit.
        long[] atStart = new long[2];
        String out = run(cmd(url, script, seconds, threads, connections), (bash, line) -> {
            if (line.startsWith("Running ")) {
                long server = processCpuNanos();
                for (long pid : otherServerPids) {
                    server += childCpuNanos(pid);
                }
                atStart[0] = server;
                atStart[1] =
                        bash.children().mapToLong(c -> childCpuNanos(c.pid())).sum();
            }
        });
        long serverCpu = processCpuNanos() - atStart[0];
        for (long pid : otherServerPids) {
            serverCpu += childCpuNanos(pid);
        }
        Matcher m = RPS.matcher(out);
        double rps = m.find() ? Double.parseDouble(m.group(1)) : 0;
        Matcher total = TOTAL.matcher(out);
        long requests = total.find() ? Long.parseLong(total.group(1)) : 0;
        Matcher wrkCpu = WRK_CPU.matcher(out);
        double wrkCpuS = wrkCpu.find()
                ? seconds(wrkCpu.group(1), wrkCpu.group(2))
                        + seconds(wrkCpu.group(3), wrkCpu.group(4))
                        - atStart[1] / 1e9
                : -1;
        Map<String, Double> pct = new LinkedHashMap<>();
        Matcher p = PCT.matcher(out);
        while (p.find()) {
            double v = Double.parseDouble(p.group(2));
            pct.put(
                    "p" + p.group(1),
                    switch (p.group(3)) {
                        case "us" -> v / 1000;
                        case "s" -> v * 1000;
                        default -> v;
                    });
        }
        Result r = new Result(
                name,
                rps,
                pct,
                out,
                loadAverage(),
                requests == 0 ? -1 : serverCpu / 1e3 / requests,
                requests == 0 || wrkCpuS < 0 ? -1 : wrkCpuS * 1e6 / requests);
        System.out.printf(
                "%-28s %10.0f req/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %5.1f us/req  wrk CPU %5.1f us/req  (load average %s)%n",
                name,
                rps,
                pct.getOrDefault("p50", -1.0),
                pct.getOrDefault("p99", -1.0),
                r.serverCpuUs(),
                r.wrkCpuUs(),
                r.load());
        if (out.contains("Non-2xx") || out.contains("Socket errors")) {
            System.out.println("  wrk: "
                    + out.lines()
                            .filter(l -> l.contains("Non-2xx") || l.contains("Socket errors"))
                            .toList());
        }
        return r;
    }

    /** CPU time of this process (every thread, GC and JIT included). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** user + system CPU of another process from /proc (clock ticks of 10 ms), 0 when it cannot be read. */
    static long childCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static double seconds(String minutes, String secs) {
        return Integer.parseInt(minutes) * 60 + Double.parseDouble(secs);
    }

    /**
     * wrk under bash, whose {@code times} then prints the CPU wrk used (user and system of the shell's children); wrk's
     * output line-buffered (stdbuf), so its "Running" line arrives when its timed run starts, not at its exit.
     */
    private static List<String> cmd(String url, Path script, int seconds, int threads, int connections) {
        List<String> c = new ArrayList<>(List.of(
                "bash",
                "-c",
                "stdbuf -oL \"$@\"; rc=$?; times; exit $rc",
                "bash",
                "wrk",
                "-t" + threads,
                "-c" + connections,
                "-d" + seconds + "s",
                "--latency"));
        if (script != null) {
            c.add("-s");
            c.add(script.toString());
        }
        c.add(url);
        c.add("--");
        c.add(Long.toString(RUN_NONCE.incrementAndGet()));
        c.add(Integer.toString(threads));
        c.add(Integer.toString(activeUsers));
        return c;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        return run(command, (process, line) -> {});
    }

    /** Runs a command, handing each line of its output to {@code onLine} (with the process) as it comes. */
    private static String run(List<String> command, java.util.function.BiConsumer<ProcessHandle, String> onLine)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (java.io.BufferedReader r =
                new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                onLine.accept(p.toHandle(), line);
                out.append(line).append('\n');
            }
        }
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + out);
        }
        return out.toString();
    }

    private static void report(List<Result> results, Path file) throws IOException {
        Map<String, Result> by = new LinkedHashMap<>();
        results.forEach(r -> by.put(r.name, r));
        Result bare = results.get(0);
        Result edge = results.get(1);
        Result redis = results.get(2);
        StringBuilder sb = new StringBuilder();
        sb.append(
                activeUsers > 0
                        ? "(shakes by a pool of " + activeUsers + " active users, each back about once a second)\n"
                        : "(shakes by users drawn in turn from the whole session pool: a new user each time)\n");
        sb.append(
                "(shake rows: the median by req/s of the alternating repeats; CPU per request from the kernel's accounting)\n");
        sb.append(String.format(
                "%-28s %12s %9s %9s %9s %9s %6s %14s %11s%n",
                "run", "req/s", "p50 ms", "p90 ms", "p99 ms", "vs bare", "load", "server us/req", "wrk us/req"));
        for (Result r : results) {
            sb.append(String.format(
                    "%-28s %12.0f %9.2f %9.2f %9.2f %8.0f%% %6s %14.1f %11.1f%n",
                    r.name,
                    r.rps,
                    r.pctMs.getOrDefault("p50", -1.0),
                    r.pctMs.getOrDefault("p90", -1.0),
                    r.pctMs.getOrDefault("p99", -1.0),
                    100 * r.rps / bare.rps,
                    r.load,
                    r.serverCpuUs,
                    r.wrkCpuUs));
        }
        double vsRedis = edge.rps / redis.rps;
        double vsBare = edge.rps / bare.rps;
        sb.append(String.format(
                "%nedge shake / redis+lua shake = %.2fx (floor 2x: %s)%n", vsRedis, vsRedis >= 2 ? "met" : "NOT met"));
        sb.append(String.format(
                "edge shake / bare = %.0f%% (floor 60%%: %s)%n", 100 * vsBare, vsBare >= 0.6 ? "met" : "NOT met"));
        sb.append(String.format(
                "server CPU per shake: edge %.1f us, redis design %.1f us (front + redis-server): %.2fx; bare %.1f us; wrk %.1f-%.1f us%n",
                edge.serverCpuUs,
                redis.serverCpuUs,
                redis.serverCpuUs / edge.serverCpuUs,
                bare.serverCpuUs,
                Math.min(edge.wrkCpuUs, Math.min(bare.wrkCpuUs, redis.wrkCpuUs)),
                Math.max(edge.wrkCpuUs, Math.max(bare.wrkCpuUs, redis.wrkCpuUs))));
        double p99 = edge.pctMs.getOrDefault("p99", Double.MAX_VALUE);
        sb.append(String.format(
                "edge shake >= 40,000/s with p99 <= 10 ms: %s (%.0f/s, p99 %.2f ms)%n",
                edge.rps >= 40_000 && p99 <= 10 ? "met" : "NOT met", edge.rps, p99));
        System.out.println();
        System.out.print(sb);
        Files.writeString(file, sb.toString());
        System.out.println("written to " + file);
    }

    /** A Netty keep-alive server on the same pipeline answering a fixed shake-sized body: the ceiling. */
    static final class BareServer implements AutoCloseable {
        final EventLoopGroup group;
        final int port;

        BareServer(int ioThreads) throws InterruptedException {
            group = new MultiThreadIoEventLoopGroup(
                    ioThreads, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            String body = "{\"result\":\"envelope\",\"token\":\"" + "A".repeat(71)
                    + "\",\"sponsorId\":\"sp1\",\"sponsorName\":\"Sponsor 1\"," + "\"type\":\"PICTURE\",\"state\":\""
                    + "B".repeat(30) + "\",\"nextShakeMs\":1000}";
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new EdgeInitializer(
                            null, BENCH_LIMITS, () -> new SimpleChannelInboundHandler<FullHttpRequest>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                    HttpReplies.write(
                                            ctx,
                                            HttpReplies.reply(ctx.alloc(), 200, HttpReplies.JSON, body),
                                            HttpUtil.isKeepAlive(req));
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    ctx.close();
                                }
                            }))
                    .bind("127.0.0.1", 0)
                    .sync()
                    .channel();
            port = ((InetSocketAddress) ch.localAddress()).getPort();
        }

        @Override
        public void close() {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * The usual open-source design: the same HTTP front, but each shake is a round trip to Redis running the grab
     * script. One pipelined Redis connection per event loop (replies are FIFO per connection).
     */
    static final java.util.concurrent.atomic.AtomicLong EMPTY_GRABS = new java.util.concurrent.atomic.AtomicLong();

    static final java.util.concurrent.atomic.AtomicLong REDIS_CAPPED = new java.util.concurrent.atomic.AtomicLong();

    static final class RedisFront implements AutoCloseable {
        private final Process redis;
        private final EventLoopGroup group;
        private final int port;

        private RedisFront(Process redis, EventLoopGroup group, int port) {
            this.redis = redis;
            this.group = group;
            this.port = port;
        }

        int port() {
            return port;
        }

        long pid() {
            return redis.pid();
        }

        /** @param sessions the same session keys as the edge: this design authenticates its users the same way, locally */
        static RedisFront start(
                Path work, int ioThreads, int preload, io.redpacket.keys.KeyRing sessions, EdgeClock clock)
                throws Exception {
            // The edge's own session check (verified credentials remembered by their exact text, time and device
            // checked each time).
            SessionCache sessionCheck =
                    new SessionCache(sessions, EdgeService.SESSION_CACHE_ENTRIES, KeyedHash.random());
            int redisPort = LocalKafkaBroker.freePort();
            Path dir = Files.createDirectories(work.resolve("redis-" + System.currentTimeMillis()));
            Process redis = new ProcessBuilder(
                            "redis-server",
                            "--port",
                            Integer.toString(redisPort),
                            "--bind",
                            "127.0.0.1",
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--dir",
                            dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            boolean epoll = Epoll.isAvailable();
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                    ioThreads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            try {
                Map<EventLoop, RedisConn> conns = new ConcurrentHashMap<>();
                for (EventExecutor e : group) {
                    EventLoop loop = (EventLoop) e;
                    conns.put(loop, RedisConn.connect(loop, redisPort, epoll));
                }
                RedisConn any = conns.values().iterator().next();
                for (int from = 0; from < preload; from += 1000) {
                    List<String> cmd = new ArrayList<>(List.of("RPUSH", "rp:envelopes"));
                    for (int i = from; i < Math.min(preload, from + 1000); i++) {
                        cmd.add((1_000_000 + i) + ":" + (100 + i % 900));
                    }
                    any.call(cmd).get(30, TimeUnit.SECONDS);
                }
                String sha = any.call(List.of("SCRIPT", "LOAD", GRAB_LUA)).get(30, TimeUnit.SECONDS);
                Channel ch = new ServerBootstrap()
                        .group(group)
                        .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(new EdgeInitializer(
                                null, BENCH_LIMITS, () -> new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                        boolean keepAlive = HttpUtil.isKeepAlive(req);
                                        // The same local session check as the edge: both designs serve authenticated
                                        // users only.
                                        String auth = req.headers().get("Authorization");
                                        String device = req.content().toString(CharsetUtil.US_ASCII);
                                        var who = sessionCheck.verify(
                                                auth == null ? null : auth.substring("Session ".length()),
                                                device.startsWith("device=") ? device.substring(7) : null,
                                                clock.nowMs());
                                        if (!who.isValid()) {
                                            HttpReplies.write(
                                                    ctx,
                                                    HttpReplies.reply(
                                                            ctx.alloc(),
                                                            401,
                                                            HttpReplies.JSON,
                                                            "{\"result\":\"unauthenticated\",\"reason\":\""
                                                                    + who.reason() + "\"}"),
                                                    keepAlive);
                                            return;
                                        }
                                        String user = who.userId();
                                        RedisConn conn = conns.get(ctx.channel().eventLoop());
                                        conn.call(List.of(
                                                        "EVALSHA",
                                                        sha,
                                                        "4",
                                                        "rp:envelopes",
                                                        "rp:grabbed",
                                                        "rp:record",
                                                        "rp:queue",
                                                        user,
                                                        Long.toString(System.currentTimeMillis())))
                                                .whenComplete((env, ex) -> {
                                                    if (ex == null && env == null) {
                                                        EMPTY_GRABS.incrementAndGet();
                                                    }
                                                    if (ex == null && "capped".equals(env)) {
                                                        REDIS_CAPPED.incrementAndGet();
                                                    }
                                                    String body = ex != null
                                                            ? "{\"result\":\"error\"}"
                                                            : env == null
                                                                    ? "{\"result\":\"nothing\",\"nextShakeMs\":1000}"
                                                                    : env.equals("capped")
                                                                            ? "{\"result\":\"capped\",\"nextShakeMs\":60000}"
                                                                            : "{\"result\":\"envelope\",\"envelope\":\""
                                                                                    + env + "\",\"nextShakeMs\":1000}";
                                                    HttpReplies.write(
                                                            ctx,
                                                            HttpReplies.reply(
                                                                    ctx.alloc(),
                                                                    ex != null ? 500 : 200,
                                                                    HttpReplies.JSON,
                                                                    body),
                                                            keepAlive);
                                                });
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close();
                                    }
                                }))
                        .bind("127.0.0.1", 0)
                        .sync()
                        .channel();
                return new RedisFront(redis, group, ((InetSocketAddress) ch.localAddress()).getPort());
            } catch (Exception e) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                redis.destroy();
                throw e;
            }
        }

        @Override
        public void close() {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            redis.destroy();
            try {
                redis.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A pipelined RESP connection bound to one event loop; callers on that loop get replies in order. */
    static final class RedisConn extends ChannelDuplexHandler {
        private final ArrayDeque<CompletableFuture<String>> waiting = new ArrayDeque<>();
        private Channel channel;

        static RedisConn connect(EventLoop loop, int port, boolean epoll) throws Exception {
            RedisConn conn = new RedisConn();
            Exception last = null;
            for (int attempt = 0; attempt < 100; attempt++) {
                try {
                    conn.channel = new Bootstrap()
                            .group(loop)
                            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                            .option(ChannelOption.TCP_NODELAY, true)
                            .handler(new ChannelInitializer<SocketChannel>() {
                                @Override
                                protected void initChannel(SocketChannel ch) {
                                    ch.pipeline()
                                            .addLast(
                                                    new RedisDecoder(),
                                                    new RedisBulkStringAggregator(),
                                                    new RedisArrayAggregator(),
                                                    new RedisEncoder(),
                                                    conn);
                                }
                            })
                            .connect("127.0.0.1", port)
                            .sync()
                            .channel();
                    return conn;
                } catch (Exception e) {
                    last = e;
                    Thread.sleep(50);
                }
            }
            throw last;
        }

        CompletableFuture<String> call(List<String> args) {
            CompletableFuture<String> f = new CompletableFuture<>();
            channel.eventLoop().execute(() -> {
                List<RedisMessage> parts = new ArrayList<>(args.size());
                for (String a : args) {
                    parts.add(new FullBulkStringRedisMessage(ByteBufUtil.writeUtf8(channel.alloc(), a)));
                }
                waiting.add(f);
                channel.writeAndFlush(new ArrayRedisMessage(parts));
            });
            return f;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                CompletableFuture<String> f = waiting.poll();
                if (f == null) {
                    return;
                }
                if (msg instanceof ErrorRedisMessage err) {
                    f.completeExceptionally(new IOException(err.content()));
                } else if (msg instanceof FullBulkStringRedisMessage bulk) {
                    f.complete(bulk.isNull() ? null : bulk.content().toString(CharsetUtil.UTF_8));
                } else if (msg instanceof SimpleStringRedisMessage s) {
                    f.complete(s.content());
                } else {
                    f.complete(msg.toString());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ctx.write(msg, promise);
        }
    }
}
