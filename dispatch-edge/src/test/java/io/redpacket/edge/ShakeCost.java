package io.redpacket.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
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
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.net.TrustedProxies;
import io.redpacket.session.SessionVerifier;
import io.redpacket.testkit.GeneratedCampaign;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * What one shake costs in CPU, in-process, on one thread, with no load generator and no scheduler noise in the
 * figure (a command, not a test; see dispatch-edge/README.md, Benchmark). Thread CPU time and bytes allocated per
 * request, median of 5 rounds after 2 warm-up rounds, for:
 * <ul>
 *   <li>the session check alone ({@link SessionVerifier}, and the edge's remembered check), as the benchmark measures it;</li>
 *   <li>{@link EdgeService#shake} alone, every shake a new user who wins;</li>
 *   <li>the whole HTTP path of the benchmark's request (the bytes wrk sends, through the connection guard, the strict
 *       decoder, the aggregator, {@link EdgeHandler}, the encoder), on an embedded channel: every shake a new user;
 *       and a pool of users each shaking once a second of the edge's clock (a real session is used many times);</li>
 *   <li>the same pipeline answering a fixed body (what the benchmark's bare server does): the HTTP framework's share.</li>
 * </ul>
 * {@code --rounds-of N} requests per round (default 100,000), {@code --pool P} users of the repeat mix (default 20,000).
 */
public final class ShakeCost {
    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    record Cost(double cpuNs, double bytes) {}

    public static void main(String[] args) throws Exception {
        int n = 100_000;
        int pool = 20_000;
        Path work = Path.of("target/shake-cost").toAbsolutePath();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds-of" -> n = Integer.parseInt(args[i + 1]);
                case "--pool" -> pool = Integer.parseInt(args[i + 1]);
                case "--dir" -> work = Path.of(args[i + 1]).toAbsolutePath();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String only = System.getProperty("only", "");
        Files.createDirectories(work);
        int rounds = 7;
        // Distinct winners for every measured shake of the "new user" runs: 2 runs x 7 rounds x n, 3 wins per 8
        // sponsors at most.
        GeneratedCampaign campaign = GeneratedCampaign.builder()
                .sponsors(8)
                .perAllocation((3 * rounds * n) / 8 + n)
                .slotMs(24L * 3600 * 1000)
                .sessionRing()
                .build(work.resolve("campaign-" + System.currentTimeMillis()));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        EdgeLimits limits = EdgeLimits.defaults().withConnections(20_000, 1024).withAddressRate(0, 1);
        EdgeSettings s = EdgeSettings.builder(1)
                .openRole(false)
                .dispensePerSecond(DispenseQuota.MAX_RATE)
                .userCacheSize(1 << 20)
                .build();
        Campaign c = Campaign.load(campaign.dir);
        EdgeMetrics metrics = new EdgeMetrics();
        Dispenser d = new Dispenser(
                c,
                SlotSchedule.of(c.plan()),
                ShardTable.primaryOnly(1, List.of(0)),
                1,
                work.resolve("state-" + System.nanoTime()),
                s.reservationBlock(),
                false,
                metrics);
        EdgeService service = new EdgeService(
                s,
                limits,
                c,
                d,
                campaign.ring.tokenOnly(),
                campaign.sessionRing.sessionOnly(),
                new KeyBlacklist(),
                null,
                metrics,
                clock);
        System.out.printf(
                "shake cost: %,d requests per round, median of 5 rounds after 2 warm-ups, one thread, thread CPU time; load average %s%n",
                n, EdgeBenchmark.loadAverage());

        int total = rounds * n;
        if (only.isEmpty() || only.contains("verify")) {
            // Fully verified (a new credential each time) and remembered (the edge's table, 50,000 active users).
            EdgeBenchmark.sessionCost(campaign, clock);
        }
        if (only.isEmpty() || only.contains("service")) {
            String[] creds = new String[total];
            String[] devices = new String[total];
            for (int i = 0; i < total; i++) {
                creds[i] = campaign.session("s-" + i);
                devices[i] = GeneratedCampaign.device("s-" + i);
            }
            report(
                    "EdgeService.shake, new user each time (wins)",
                    measure(n, rounds, i -> check(service.shake(creds[i], devices[i], null))));
        }
        if (only.isEmpty() || only.contains("http")) {
            byte[][] requests = new byte[total][];
            for (int i = 0; i < total; i++) {
                requests[i] = request(campaign, "h-" + i);
            }
            ConnectionGuard guard = new ConnectionGuard(limits, TrustedProxies.none());
            EmbeddedChannel edge = channel(guard, limits, new EdgeHandler(service, TrustedProxies.none(), guard));
            report("HTTP edge shake, new user each time", measure(n, rounds, i -> roundTrip(edge, requests[i])));

            byte[][] poolRequests = new byte[pool][];
            for (int i = 0; i < pool; i++) {
                poolRequests[i] = request(campaign, "p-" + i);
            }
            // Each user of the pool shakes once a second of the edge's clock: wins up to 3 times, then is told it is
            // capped.
            int p = pool;
            long msPerRequest = Math.max(1, 1000 / pool);
            int requestsPerMs = Math.max(1, pool / 1000);
            report("HTTP edge shake, pool of " + pool + " users, 1/s each", measure(n, rounds, i -> {
                if (i % requestsPerMs == 0) {
                    clock.advance(msPerRequest);
                }
                roundTrip(edge, poolRequests[i % p]);
            }));

            EmbeddedChannel bare = channel(null, limits, new BareHandler());
            int perRound = n;
            report(
                    "HTTP bare fixed body (framework share)",
                    measure(n, rounds, i -> roundTrip(bare, requests[i % perRound])));
            System.out.println(metrics.render(1, d, guard, service.gauges(1))
                    .lines()
                    .filter(l -> l.startsWith("redpacket_edge_dispensed_total")
                            || l.startsWith("redpacket_edge_capped_total")
                            || l.startsWith("redpacket_edge_rate_limited_total")
                            || l.startsWith("redpacket_edge_unauthenticated_total") && !l.endsWith(" 0.0"))
                    .reduce("", (a, b) -> a + b + "\n"));
            edge.finishAndReleaseAll();
            bare.finishAndReleaseAll();
        }
        service.close();
    }

    private static void check(ShakeResult r) {
        if (r.kind() != ShakeResult.Kind.ENVELOPE) {
            throw new IllegalStateException("expected a win: " + r.toJson());
        }
    }

    /** The request wrk sends for this user (see EdgeBenchmark's shake script). */
    static byte[] request(GeneratedCampaign campaign, String user) {
        String body = "device=" + GeneratedCampaign.device(user);
        return ("POST /shake HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        + "Authorization: Session " + campaign.session(user) + "\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static EmbeddedChannel channel(
            ConnectionGuard guard, EdgeLimits limits, io.netty.channel.ChannelHandler handler) {
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

    private static void roundTrip(EmbeddedChannel ch, byte[] request) {
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
            io.netty.util.ReferenceCountUtil.release(out);
        }
        if (answers == 0) {
            throw new IllegalStateException("no answer");
        }
    }

    private static Cost measure(int n, int rounds, IntConsumer request) {
        com.sun.management.ThreadMXBean t = (com.sun.management.ThreadMXBean) THREADS;
        long id = Thread.currentThread().getId();
        double[] cpu = new double[rounds];
        double[] bytes = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long c0 = t.getCurrentThreadCpuTime();
            long b0 = t.getThreadAllocatedBytes(id);
            for (int i = 0; i < n; i++) {
                request.accept(r * n + i);
            }
            cpu[r] = (t.getCurrentThreadCpuTime() - c0) / (double) n;
            bytes[r] = (t.getThreadAllocatedBytes(id) - b0) / (double) n;
        }
        double[] c = Arrays.copyOfRange(cpu, 2, rounds);
        double[] b = Arrays.copyOfRange(bytes, 2, rounds);
        Arrays.sort(c);
        Arrays.sort(b);
        return new Cost(c[c.length / 2], b[b.length / 2]);
    }

    private static final List<String> LINES = new ArrayList<>();

    private static void report(String what, Cost cost) {
        String line = String.format(
                "%-48s %7.0f ns CPU/request  %6.0f bytes allocated/request", what, cost.cpuNs, cost.bytes);
        LINES.add(line);
        System.out.println(line);
    }

    /** The benchmark's bare server: a fixed body of a shake answer's size. */
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
