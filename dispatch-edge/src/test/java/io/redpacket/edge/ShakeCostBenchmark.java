package io.redpacket.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import io.redpacket.edge.dispense.Campaign;
import io.redpacket.edge.dispense.DispenseQuota;
import io.redpacket.edge.dispense.Dispenser;
import io.redpacket.edge.dispense.ShardTable;
import io.redpacket.edge.dispense.SlotSchedule;
import io.redpacket.edge.guard.ConnectionGuard;
import io.redpacket.edge.guard.EdgeLimits;
import io.redpacket.edge.http.EdgeHandler;
import io.redpacket.edge.http.EdgeInitializer;
import io.redpacket.edge.http.HttpReplies;
import io.redpacket.edge.metrics.EdgeMetrics;
import io.redpacket.edge.state.KeyedHash;
import io.redpacket.edge.state.SessionCache;
import io.redpacket.io.AtomicFiles;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.net.TrustedProxies;
import io.redpacket.session.SessionVerifier;
import io.redpacket.session.VerifiedSession;
import io.redpacket.testkit.GeneratedCampaign;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * What one shake costs, in-process, on one thread, with no load generator (JMH; run by {@link ShakeCost}, i.e.
 * dispatch-edge/bench/shake-cost.sh; see dispatch-edge/README.md, Benchmark):
 * <ul>
 *   <li>the session check alone: {@link SessionVerifier} (fully verified, a new credential each time) and the edge's
 *       {@link SessionCache} (remembered, 50,000 active users);</li>
 *   <li>{@link EdgeService#shake} alone, every shake a new user who wins;</li>
 *   <li>the whole HTTP path of edge-bench's request (the bytes wrk sends, through the connection guard, the strict
 *       decoder, the aggregator, {@link EdgeHandler}, the encoder) on an embedded channel: every shake a new user who
 *       wins; and a pool of users each shaking once a second of the edge's clock (a real session is used many times);
 *   </li>
 *   <li>the same pipeline answering a fixed body (what edge-bench's bare server does): the HTTP framework's share.</li>
 * </ul>
 * A "new user" shake uses up a winner, so every case runs a fixed number of requests: single-shot iterations of a batch
 * of {@code R} calls, counted as {@code R} operations ({@code -bs R -wbs R -opi R}), so the score is time per request
 * and the campaign built in the trial's set-up holds a winner for every call of the run. The gc profiler's
 * {@code gc.alloc.rate.norm} is then bytes allocated per request (nothing allocates in a per-iteration set-up).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, batchSize = ShakeCostBenchmark.REQUESTS)
@Measurement(iterations = 5, batchSize = ShakeCostBenchmark.REQUESTS)
@OperationsPerInvocation(ShakeCostBenchmark.REQUESTS)
@Fork(1)
@Threads(1)
public class ShakeCostBenchmark {
    /** Requests per iteration unless the runner says otherwise (-bs, -wbs and -opi together). */
    static final int REQUESTS = 100_000;

    /** Where the campaigns and the edges' state go (deleted at the end of each trial). */
    static final String WORK_DIR_PROPERTY = "shakecost.dir";

    /** Users whose sessions the edge's table holds in the remembered case (as in edge-bench's --active-users 50000). */
    static final int ACTIVE_USERS = 50_000;

    /** Distinct credentials of the fully verified case. */
    static final int CREDENTIALS = 200_000;

    /** edge-bench's limits: connection guard on, per-address rate off (one address plays every user). */
    static final EdgeLimits LIMITS =
            EdgeLimits.defaults().withConnections(20_000, 1024).withAddressRate(0, 1);

    @Benchmark
    public VerifiedSession sessionVerified(SessionChecks s) {
        int i = s.next++ % CREDENTIALS;
        return valid(s.verifier.verify(s.credentials[i], s.devices[i], s.now));
    }

    @Benchmark
    public VerifiedSession sessionRemembered(SessionChecks s) {
        int i = s.next++ % ACTIVE_USERS;
        return valid(s.cache.verify(s.credentials[i], s.devices[i], s.now));
    }

    @Benchmark
    public ShakeResult serviceNewUser(ServiceNewUsers s) {
        int i = s.next++;
        ShakeResult r = s.edge.service.shake(s.credentials[i], s.devices[i], null);
        if (r.kind() != ShakeResult.Kind.ENVELOPE) {
            throw new IllegalStateException("expected a win: " + r.toJson());
        }
        return r;
    }

    @Benchmark
    public void httpNewUser(HttpNewUsers s) {
        roundTrip(s.edge.http, s.requests[s.next++]);
    }

    @Benchmark
    public void httpPool(HttpPool s) {
        int i = s.next++;
        if (i % s.requestsPerMs == 0) {
            s.edge.clock.advance(s.msPerRequest);
        }
        roundTrip(s.edge.http, s.requests[i % s.pool]);
    }

    @Benchmark
    public void httpBare(HttpBare s) {
        roundTrip(s.channel, s.requests[s.next++ % s.requests.length]);
    }

    /** Credentials of distinct users on the campaign's session ring; one table remembers the first 50,000. */
    @State(Scope.Benchmark)
    public static class SessionChecks {
        String[] credentials;
        String[] devices;
        SessionVerifier verifier;
        SessionCache cache;
        long now;
        int next;
        private Path work;

        @Setup
        public void setUp() throws IOException {
            work = workDir("sessions");
            GeneratedCampaign campaign =
                    GeneratedCampaign.builder().sessionRing().build(work.resolve("campaign"));
            credentials = new String[CREDENTIALS];
            devices = new String[CREDENTIALS];
            for (int i = 0; i < CREDENTIALS; i++) {
                credentials[i] = campaign.session("cost-" + i);
                devices[i] = GeneratedCampaign.device("cost-" + i);
            }
            now = GeneratedCampaign.T0 + 1000;
            verifier = new SessionVerifier(campaign.sessionRing);
            // The edge's table holding the sessions of the active users (each verified twice, then remembered).
            cache = new SessionCache(campaign.sessionRing, EdgeService.SESSION_CACHE_ENTRIES, KeyedHash.random());
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < ACTIVE_USERS; i++) {
                    valid(cache.verify(credentials[i], devices[i], now));
                }
            }
        }

        @TearDown
        public void tearDown() throws IOException {
            AtomicFiles.deleteTree(work);
        }
    }

    /** Sessions of as many distinct users as the run has calls, each on an edge with a winner for every one. */
    @State(Scope.Benchmark)
    public static class ServiceNewUsers {
        EdgeUnderTest edge;
        String[] credentials;
        String[] devices;
        int next;

        @Setup
        public void setUp(BenchmarkParams params) throws IOException {
            int calls = calls(params);
            edge = EdgeUnderTest.start(workDir("service"), calls);
            credentials = new String[calls];
            devices = new String[calls];
            for (int i = 0; i < calls; i++) {
                credentials[i] = edge.campaign.session("s-" + i);
                devices[i] = GeneratedCampaign.device("s-" + i);
            }
        }

        @TearDown
        public void tearDown() throws IOException {
            edge.close();
        }
    }

    /** edge-bench's request of as many distinct users as the run has calls, on an edge with a winner for each. */
    @State(Scope.Benchmark)
    public static class HttpNewUsers {
        EdgeUnderTest edge;
        byte[][] requests;
        int next;

        @Setup
        public void setUp(BenchmarkParams params) throws IOException {
            int calls = calls(params);
            edge = EdgeUnderTest.start(workDir("http"), calls);
            requests = new byte[calls][];
            for (int i = 0; i < calls; i++) {
                requests[i] = request(edge.campaign, "h-" + i);
            }
        }

        @TearDown
        public void tearDown() throws IOException {
            edge.close();
        }
    }

    /**
     * A pool of users, each shaking once a second of the edge's clock (which moves with the requests): a user wins up to
     * 3 times (one per sponsor), then is told it is capped.
     */
    @State(Scope.Benchmark)
    public static class HttpPool {
        @Param("20000")
        public int pool;

        EdgeUnderTest edge;
        byte[][] requests;
        long msPerRequest;
        int requestsPerMs;
        int next;

        @Setup
        public void setUp() throws IOException {
            edge = EdgeUnderTest.start(workDir("pool"), 3L * pool);
            requests = new byte[pool][];
            for (int i = 0; i < pool; i++) {
                requests[i] = request(edge.campaign, "p-" + i);
            }
            msPerRequest = Math.max(1, 1000 / pool);
            requestsPerMs = Math.max(1, pool / 1000);
        }

        @TearDown
        public void tearDown() throws IOException {
            edge.close();
        }
    }

    /** The same pipeline without the guard, answering a fixed body of a shake answer's size. */
    @State(Scope.Benchmark)
    public static class HttpBare {
        EmbeddedChannel channel;
        byte[][] requests;
        int next;
        private Path work;

        @Setup
        public void setUp() throws IOException {
            work = workDir("bare");
            GeneratedCampaign campaign =
                    GeneratedCampaign.builder().sessionRing().build(work.resolve("campaign"));
            requests = new byte[1000][];
            for (int i = 0; i < requests.length; i++) {
                requests[i] = request(campaign, "b-" + i);
            }
            channel = channel(null, LIMITS, new BareHandler());
        }

        @TearDown
        public void tearDown() throws IOException {
            channel.finishAndReleaseAll();
            AtomicFiles.deleteTree(work);
        }
    }

    /**
     * One edge in-process as edge-bench runs it (both checks on, per-address rate off, one shard, a slot of a day, the
     * campaign from the real generator), on a clock the benchmark moves.
     */
    static final class EdgeUnderTest implements AutoCloseable {
        final Path work;
        final GeneratedCampaign campaign;
        final ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        final EdgeMetrics metrics = new EdgeMetrics();
        final Dispenser dispenser;
        final EdgeService service;
        final ConnectionGuard guard = new ConnectionGuard(LIMITS, TrustedProxies.none());
        /** The edge's pipeline (guard, HTTP codec, {@link EdgeHandler}) on an embedded channel: one keep-alive client. */
        final EmbeddedChannel http;

        private EdgeUnderTest(Path work, long winners) throws IOException {
            this.work = work;
            // 8 sponsors; every allocation holds 3/8 of the winners needed and a margin, as the hand-made loop did.
            int perAllocation = Math.toIntExact((3 * winners) / 8 + Math.max(winners / 7, 1000));
            campaign = GeneratedCampaign.builder()
                    .sponsors(8)
                    .perAllocation(perAllocation)
                    .slotMs(24L * 3600 * 1000)
                    .sessionRing()
                    .build(work.resolve("campaign"));
            EdgeSettings s = EdgeSettings.builder(1)
                    .openRole(false)
                    .dispensePerSecond(DispenseQuota.MAX_RATE)
                    .userCacheSize(1 << 20)
                    .build();
            Campaign c = Campaign.load(campaign.dir);
            dispenser = new Dispenser(
                    c,
                    SlotSchedule.of(c.plan()),
                    ShardTable.primaryOnly(1, List.of(0)),
                    1,
                    work.resolve("state"),
                    s.reservationBlock(),
                    false,
                    metrics);
            service = new EdgeService(
                    s,
                    LIMITS,
                    c,
                    dispenser,
                    campaign.ring.tokenOnly(),
                    campaign.sessionRing.sessionOnly(),
                    new KeyBlacklist(),
                    null,
                    metrics,
                    clock);
            http = channel(guard, LIMITS, new EdgeHandler(service, TrustedProxies.none(), guard));
        }

        static EdgeUnderTest start(Path work, long winners) throws IOException {
            return new EdgeUnderTest(work, winners);
        }

        /** How the run's shakes were answered (printed by the fork, relayed by JMH). */
        private void printCounts() {
            System.out.print("\n"
                    + metrics.render(1, dispenser, guard, service.gauges(1))
                            .lines()
                            .filter(l -> l.startsWith("redpacket_edge_dispensed_total")
                                    || l.startsWith("redpacket_edge_capped_total")
                                    || l.startsWith("redpacket_edge_rate_limited_total")
                                    || l.startsWith("redpacket_edge_unauthenticated_total") && !l.endsWith(" 0.0"))
                            .reduce("", (a, b) -> a + b + "\n"));
        }

        /** Prints how the run's shakes were answered, then closes the client and the edge and deletes their files. */
        @Override
        public void close() throws IOException {
            printCounts();
            http.finishAndReleaseAll();
            service.close();
            AtomicFiles.deleteTree(work);
        }
    }

    /** Calls of this run: warm-up and measured iterations of one batch each (single-shot mode). */
    static int calls(BenchmarkParams params) {
        int batch = params.getMeasurement().getBatchSize();
        if (params.getMode() != Mode.SingleShotTime
                || params.getWarmup().getBatchSize() != batch
                || params.getOpsPerInvocation() != batch) {
            throw new IllegalArgumentException(
                    "run ShakeCostBenchmark in single-shot mode with -bs R -wbs R -opi R (the"
                            + " same R): each call uses up a user, so the count must be fixed and the score per request; got mode "
                            + params.getMode() + ", -bs " + batch + ", -wbs "
                            + params.getWarmup().getBatchSize() + ", -opi "
                            + params.getOpsPerInvocation());
        }
        return Math.toIntExact((long) batch
                * (params.getWarmup().getCount() + params.getMeasurement().getCount()));
    }

    private static VerifiedSession valid(VerifiedSession session) {
        if (!session.isValid()) {
            throw new IllegalStateException("session refused: " + session.reason());
        }
        return session;
    }

    /** The request wrk sends for this user (see EdgeBenchmark's shake script). */
    static byte[] request(GeneratedCampaign campaign, String user) {
        String body = "device=" + GeneratedCampaign.device(user);
        return ("POST /shake HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        + "Authorization: Session " + campaign.session(user) + "\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
    }

    static EmbeddedChannel channel(ConnectionGuard guard, EdgeLimits limits, ChannelHandler handler) {
        return new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (guard != null) {
                    ch.pipeline().addLast(guard);
                }
                EdgeInitializer.addHttp(ch.pipeline(), limits);
                ch.pipeline().addLast(handler);
            }
        });
    }

    /** One request in, its answer out; anything but a 200 stops the run. */
    static void roundTrip(EmbeddedChannel ch, byte[] request) {
        ch.writeInbound(ch.alloc().buffer(request.length).writeBytes(request));
        Object out;
        int answers = 0;
        while ((out = ch.readOutbound()) != null) {
            if (out instanceof ByteBuf b) {
                if (answers++ == 0 && (b.readableBytes() < 12 || b.getByte(9) != '2')) {
                    String text = b.toString(StandardCharsets.US_ASCII);
                    b.release();
                    throw new IllegalStateException("not a 200: " + text);
                }
            }
            ReferenceCountUtil.release(out);
        }
        if (answers == 0) {
            throw new IllegalStateException("no answer");
        }
    }

    /** A fresh folder for one trial under the runner's work directory. */
    static Path workDir(String what) throws IOException {
        Path base = Path.of(System.getProperty(WORK_DIR_PROPERTY, "target/shake-cost"));
        return Files.createDirectories(base.toAbsolutePath()).resolve(what + "-" + System.nanoTime());
    }

    /** edge-bench's bare server: a fixed body of a shake answer's size. */
    static final class BareHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private static final String BODY = "{\"result\":\"envelope\",\"token\":\"" + "A".repeat(71)
                + "\",\"sponsorId\":\"sp1\",\"sponsorName\":\"Sponsor 1\"," + "\"type\":\"PICTURE\",\"state\":\""
                + "B".repeat(30) + "\",\"nextShakeMs\":1000}";

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            HttpReplies.write(
                    ctx, HttpReplies.reply(ctx.alloc(), 200, HttpReplies.JSON, BODY), HttpUtil.isKeepAlive(req));
        }
    }
}
