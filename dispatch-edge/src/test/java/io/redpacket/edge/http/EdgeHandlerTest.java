package io.redpacket.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.redpacket.keys.KeyBlacklist;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP mapping, without a socket: requests in, answers out, in order, buffers released. */
@Timeout(60)
class EdgeHandlerTest {
    @TempDir Path tmp;
    TestCampaign campaign;
    ManualClock clock;

    @BeforeEach
    void setUp() throws Exception {
        campaign = TestCampaign.create(tmp.resolve("v"), 1, 1, 3, 20);
        clock = new ManualClock(TestCampaign.T0 + 1000);
    }

    private static FullHttpRequest post(String uri, String form) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri,
                Unpooled.copiedBuffer(form, StandardCharsets.UTF_8));
        req.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_X_WWW_FORM_URLENCODED);
        req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes());
        return req;
    }

    private static String body(FullHttpResponse res) {
        try {
            return res.content().toString(StandardCharsets.UTF_8);
        } finally {
            res.release();
        }
    }

    @Test
    void shakeAnswersJsonWithTokenSponsorAndStateOnAKeptAliveConnection() throws Exception {
        EdgeService service = EdgeServiceTest.shakeEdge(campaign, tmp.resolve("s"), ShardTable.primaryOnly(1, List.of(0)),
                EdgeSettings.defaults(1), clock, true);
        EmbeddedChannel ch = new EmbeddedChannel(new EdgeHandler(service));
        ch.writeInbound(post("/shake", "user=alice"));
        FullHttpResponse res = ch.readOutbound();
        assertThat(res.status().code()).isEqualTo(200);
        assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("keep-alive");
        assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        String json = body(res);
        assertThat(json).startsWith("{\"result\":\"envelope\",\"token\":\"").contains("\"sponsorId\":\"sp", "\"type\":\"", "\"state\":\"", "\"nextShakeMs\":1000");

        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/shake"));
        FullHttpResponse bad = ch.readOutbound();
        assertThat(bad.status().code()).isEqualTo(400);
        assertThat(body(bad)).contains("bad_request");

        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/metrics"));
        FullHttpResponse metrics = ch.readOutbound();
        assertThat(body(metrics)).contains("redpacket_edge_dispensed_total{edge=\"1\"} 1", "redpacket_edge_shakes_total{edge=\"1\"} 2",
                "# TYPE redpacket_edge_kafka_send_latency_ms histogram");

        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/nope"));
        assertThat(body(ch.readOutbound())).contains("not_found");

        ch.writeInbound(post("/open", "user=alice&token=x"));
        FullHttpResponse notHere = ch.readOutbound();
        assertThat(notHere.status().code()).isEqualTo(404);
        body(notHere);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void malformedRequestGets400AndTheConnectionCloses() throws Exception {
        EdgeService service = EdgeServiceTest.shakeEdge(campaign, tmp.resolve("s"), ShardTable.primaryOnly(1, List.of(0)),
                EdgeSettings.defaults(1), clock, true);
        EmbeddedChannel ch = new EmbeddedChannel(new io.netty.handler.codec.http.HttpServerCodec(),
                new io.netty.handler.codec.http.HttpObjectAggregator(EdgeInitializer.MAX_REQUEST_BYTES), new EdgeHandler(service));
        ch.writeInbound(Unpooled.copiedBuffer("GET /shake?user=x HTTP/1.1\r\nContent-Length: banana\r\n\r\n", StandardCharsets.US_ASCII));
        io.netty.buffer.ByteBuf out = ch.readOutbound();
        try {
            assertThat(out.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 400").contains("bad_request");
        } finally {
            out.release();
        }
        assertThat(ch.isOpen()).isFalse();
        assertThat(service.metrics().badRequests.sum()).isEqualTo(1);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void adminEndpointNeedsPostAndTheBearerToken() throws Exception {
        EdgeService service = EdgeServiceTest.shakeEdge(campaign, tmp.resolve("s"), ShardTable.primaryOnly(1, List.of(0)),
                EdgeSettings.defaults(1), clock, true);
        EmbeddedChannel ch = new EmbeddedChannel(new AdminHandler(new AdminService(service, "admin-token-0123456789", tmp.resolve("s"))));
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/admin/pause"));
        FullHttpResponse get = ch.readOutbound();
        assertThat(get.status().code()).isEqualTo(405);
        body(get);
        ch.writeInbound(post("/admin/pause", ""));
        FullHttpResponse anonymous = ch.readOutbound();
        assertThat(anonymous.status().code()).isEqualTo(401);
        body(anonymous);
        FullHttpRequest authed = post("/admin/pause", "");
        authed.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer admin-token-0123456789");
        ch.writeInbound(authed);
        FullHttpResponse ok = ch.readOutbound();
        assertThat(ok.status().code()).isEqualTo(200);
        assertThat(body(ok)).contains("\"paused\":\"true\"");
        assertThat(service.shake("u", null).detail()).isEqualTo("paused");
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void closesWhenTheClientAsksForIt() throws Exception {
        EdgeService service = EdgeServiceTest.shakeEdge(campaign, tmp.resolve("s"), ShardTable.primaryOnly(1, List.of(0)),
                EdgeSettings.defaults(1), clock, true);
        EmbeddedChannel ch = new EmbeddedChannel(new EdgeHandler(service));
        FullHttpRequest req = post("/shake", "user=bob");
        req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ch.writeInbound(req);
        FullHttpResponse res = ch.readOutbound();
        assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        body(res);
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finishAndReleaseAll());
    }

    /**
     * Opens on an edge whose Kafka is unreachable: a forged token is rejected locally (Kafka never asked); a genuine
     * one fails after the producer gives up and the client is told to retry, counted as a final system failure.
     * A shake pipelined behind that open is answered after it, in request order.
     */
    @Test
    void openRejectsForgeriesLocallyAndTurnsKafkaFailureIntoARetriableAnswerInOrder() throws Exception {
        Campaign c = Campaign.load(campaign.dir);
        EdgeMetrics metrics = new EdgeMetrics();
        Dispenser d = new Dispenser(c, SlotSchedule.of(c.plan()), ShardTable.primaryOnly(1, List.of(0)), 1, tmp.resolve("s"), 100, true, metrics);
        int deadPort = io.redpacket.kafka.LocalKafkaBroker.freePort();
        KafkaOpenSink sink = new KafkaOpenSink("127.0.0.1:" + deadPort, "opens", 1, Duration.ofMillis(1500), metrics);
        EdgeService service = new EdgeService(EdgeSettings.defaults(1), c, d, campaign.ring, new KeyBlacklist(), sink, metrics, clock);
        try {
            EmbeddedChannel ch = new EmbeddedChannel(new EdgeHandler(service));
            ch.writeInbound(post("/shake", "user=carol"));
            String token = body(ch.readOutbound()).replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");

            ch.writeInbound(post("/open", "user=carol&token=" + token.substring(0, 70) + (token.charAt(70) == 'A' ? "B" : "A")));
            FullHttpResponse forged = ch.readOutbound();
            assertThat(forged.status().code()).isEqualTo(403);
            assertThat(body(forged)).contains("\"reason\":\"");
            ch.writeInbound(post("/open", "user=mallory&token=" + token));
            assertThat(body(ch.readOutbound())).contains("TOKEN_NOT_AUTHENTIC");

            ch.writeInbound(post("/open", "user=carol&token=" + token + "&device=d1"));
            ch.writeInbound(post("/shake", "user=dave"));
            assertThat((Object) ch.readOutbound()).as("shake must wait for the open before it").isNull();
            FullHttpResponse retry = null;
            for (int i = 0; i < 600 && retry == null; i++) {
                Thread.sleep(20);
                ch.runPendingTasks();
                retry = ch.readOutbound();
            }
            assertThat(retry).isNotNull();
            assertThat(retry.status().code()).isEqualTo(503);
            assertThat(body(retry)).contains("\"result\":\"retry\"", "\"retryAfterMs\":");
            FullHttpResponse shake = ch.readOutbound();
            assertThat(body(shake)).contains("\"result\":\"envelope\"");
            assertThat(metrics.finalSystemFailures()).isEqualTo(1);
            assertThat(service.metricsText()).contains("redpacket_edge_kafka_failures_total{edge=\"1\"} 1");
            assertFalse(ch.finishAndReleaseAll());
        } finally {
            service.close();
        }
    }
}
