package io.redpacket.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.redpacket.edge.EdgeService;
import io.redpacket.edge.EdgeServiceTest;
import io.redpacket.edge.EdgeSettings;
import io.redpacket.edge.ManualClock;
import io.redpacket.edge.control.AdminService;
import io.redpacket.edge.dispense.ShardTable;
import io.redpacket.edge.metrics.PrometheusText;
import io.redpacket.testkit.GeneratedCampaign;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP mapping, without a socket: requests in, answers out, in order, buffers released. */
@Timeout(60)
public class EdgeHandlerTest {
    @TempDir
    Path tmp;

    GeneratedCampaign campaign;
    ManualClock clock;

    @BeforeEach
    void setUp() throws Exception {
        campaign = GeneratedCampaign.builder()
                .sponsors(3)
                .perAllocation(20)
                .sessionRing()
                .build(tmp.resolve("v"));
        clock = new ManualClock(GeneratedCampaign.T0 + 1000);
    }

    public static FullHttpRequest post(String uri, String form, String authorization) {
        FullHttpRequest req = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.POST, uri, Unpooled.copiedBuffer(form, StandardCharsets.UTF_8));
        req.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_X_WWW_FORM_URLENCODED);
        req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes());
        if (authorization != null) {
            req.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        return req;
    }

    public static String body(FullHttpResponse res) {
        try {
            return res.content().toString(StandardCharsets.UTF_8);
        } finally {
            res.release();
        }
    }

    /** Every outbound buffer of a channel with the real codec, as text. */
    public static String wire(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            sb.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return sb.toString();
    }

    private EdgeService edge() throws Exception {
        return EdgeServiceTest.shakeEdge(
                campaign,
                tmp.resolve("s"),
                ShardTable.primaryOnly(1, List.of(0)),
                EdgeSettings.defaults(1),
                clock,
                true);
    }

    @Test
    void shakeAnswersJsonWithTokenSponsorAndStateOnAKeptAliveConnection() throws Exception {
        EdgeService service = edge();
        EmbeddedChannel ch = new EmbeddedChannel(new EdgeHandler(service));
        ch.writeInbound(post("/shake", "device=dev-alice", campaign.auth("alice")));
        FullHttpResponse res = ch.readOutbound();
        assertThat(res.status().code()).isEqualTo(200);
        assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("keep-alive");
        assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        String json = body(res);
        assertThat(json)
                .startsWith("{\"result\":\"envelope\",\"token\":\"")
                .contains("\"sponsorId\":\"sp", "\"type\":\"", "\"state\":\"", "\"nextShakeMs\":1000");

        ch.writeInbound(post("/shake", "device=dev-alice", null));
        FullHttpResponse anonymous = ch.readOutbound();
        assertThat(anonymous.status().code()).isEqualTo(401);
        assertThat(anonymous.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Session");
        assertThat(body(anonymous)).contains("\"reason\":\"MISSING\"");

        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/metrics"));
        FullHttpResponse metrics = ch.readOutbound();
        PrometheusText exposition = PrometheusText.parse(body(metrics));
        assertThat(exposition.count("redpacket_edge_dispensed_total", "edge", "1"))
                .isEqualTo(1);
        assertThat(exposition.count("redpacket_edge_shakes_total", "edge", "1")).isEqualTo(2);
        assertThat(exposition.count("redpacket_edge_unauthenticated_total", "edge", "1", "reason", "MISSING"))
                .isEqualTo(1);
        assertThat(exposition.types).containsEntry("redpacket_edge_kafka_send_latency_ms", "histogram");

        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/nope"));
        assertThat(body(ch.readOutbound())).contains("not_found");

        ch.writeInbound(post("/open", "device=dev-alice&token=x", campaign.auth("alice")));
        FullHttpResponse notHere = ch.readOutbound();
        assertThat(notHere.status().code()).isEqualTo(404);
        body(notHere);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void malformedRequestGets400AndTheConnectionCloses() throws Exception {
        EdgeService service = edge();
        EmbeddedChannel ch = new EmbeddedChannel();
        EdgeInitializer.addHttp(ch.pipeline(), EdgeServiceTest.NO_PACING);
        ch.pipeline().addLast(new EdgeHandler(service));
        ch.writeInbound(Unpooled.copiedBuffer(
                "GET /shake HTTP/1.1\r\nContent-Length: banana\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat(wire(ch)).startsWith("HTTP/1.1 400").contains("bad_request");
        assertThat(ch.isOpen()).isFalse();
        assertThat(service.metrics().badRequests.sum()).isEqualTo(1);
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void adminEndpointNeedsPostAndTheBearerToken() throws Exception {
        EdgeService service = edge();
        EmbeddedChannel ch = new EmbeddedChannel(new AdminHandler(new AdminService(service, "admin-token-0123456789")));
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/admin/pause"));
        FullHttpResponse get = ch.readOutbound();
        assertThat(get.status().code()).isEqualTo(405);
        body(get);
        ch.writeInbound(post("/admin/pause", "", null));
        FullHttpResponse anonymous = ch.readOutbound();
        assertThat(anonymous.status().code()).isEqualTo(401);
        body(anonymous);
        ch.writeInbound(post("/admin/pause", "", "Bearer admin-token-0123456789"));
        FullHttpResponse ok = ch.readOutbound();
        assertThat(ok.status().code()).isEqualTo(200);
        assertThat(body(ok)).contains("\"paused\":\"true\"");
        assertThat(EdgeServiceTest.shake(service, campaign, "u", null).detail()).isEqualTo("paused");
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void closesWhenTheClientAsksForIt() throws Exception {
        EdgeService service = edge();
        EmbeddedChannel ch = new EmbeddedChannel(new EdgeHandler(service));
        FullHttpRequest req = post("/shake", "device=dev-bob", campaign.auth("bob"));
        req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ch.writeInbound(req);
        FullHttpResponse res = ch.readOutbound();
        assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        body(res);
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finishAndReleaseAll());
    }
}
