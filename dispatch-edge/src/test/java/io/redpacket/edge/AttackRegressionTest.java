package io.redpacket.edge;

import static io.redpacket.edge.http.EdgeHandlerTest.body;
import static io.redpacket.edge.http.EdgeHandlerTest.post;
import static io.redpacket.edge.http.EdgeHandlerTest.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.redpacket.avro.ControlAction;
import io.redpacket.edge.control.AdminService;
import io.redpacket.edge.control.Switches;
import io.redpacket.edge.dispense.Campaign;
import io.redpacket.edge.dispense.Dispenser;
import io.redpacket.edge.dispense.ShardTable;
import io.redpacket.edge.dispense.SlotSchedule;
import io.redpacket.edge.http.AdminHandler;
import io.redpacket.edge.http.EdgeHandler;
import io.redpacket.edge.http.EdgeInitializer;
import io.redpacket.edge.http.HttpReplies;
import io.redpacket.edge.kafka.KafkaOpenSink;
import io.redpacket.edge.metrics.EdgeMetrics;
import io.redpacket.envelope.EnvelopeRecord;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.net.EdgeRing;
import io.redpacket.testkit.GeneratedCampaign;
import io.redpacket.token.Base64Url;
import io.redpacket.token.TokenLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per defect of issue 15 that needs no real socket or broker (2, 3 and 10 are in ConnectionFloodTest,
 * ShakeFloodTest and EdgeKafkaIT). Each reproduces the attack as it was made; each fails on the edge
 * as it was before the issue.
 */
@Timeout(120)
class AttackRegressionTest {
    @TempDir
    Path tmp;

    private EdgeService shakeEdge(GeneratedCampaign c, EdgeSettings s, ManualClock clock) throws Exception {
        return EdgeServiceTest.shakeEdge(
                c,
                tmp.resolve("state-" + System.nanoTime()),
                ShardTable.primaryOnly(s.edgeId(), List.of(0)),
                s,
                clock,
                true);
    }

    /** Both roles, Kafka unreachable: an open that passes verification waits, then is answered 503 retry. */
    private EdgeService openEdge(GeneratedCampaign c, ManualClock clock) throws Exception {
        Campaign campaign = Campaign.load(c.dir);
        EdgeMetrics metrics = new EdgeMetrics();
        Dispenser d = new Dispenser(
                campaign,
                SlotSchedule.of(campaign.plan()),
                ShardTable.primaryOnly(1, List.of(0)),
                1,
                tmp.resolve("o"),
                100,
                true,
                metrics);
        KafkaOpenSink sink = new KafkaOpenSink(
                "127.0.0.1:" + io.redpacket.kafka.LocalKafkaBroker.freePort(),
                "opens",
                1,
                Duration.ofMillis(1500),
                metrics);
        return new EdgeService(
                EdgeSettings.defaults(1),
                EdgeServiceTest.NO_PACING,
                campaign,
                d,
                c.ring,
                c.sessionRing.sessionOnly(),
                new KeyBlacklist(),
                sink,
                metrics,
                clock);
    }

    /** Defect 1: identity was a form field. Now it is the session's: a victim's name in the form changes nothing, made-up ids get nothing. */
    @Test
    void defect01_aUserIsWhoTheSessionSaysNotWhatTheFormSays() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(5)
                .perAllocation(40)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        EdgeService edge = shakeEdge(c, EdgeSettings.defaults(1), clock);
        EmbeddedChannel ch = new EmbeddedChannel(new EdgeHandler(edge));
        // the attacker shakes "as the victim": with the attacker's own session, the form's user is not read
        for (int i = 0; i < 6; i++) {
            ch.writeInbound(post("/shake", "user=victim&device=dev-attacker", c.auth("attacker")));
            body(ch.readOutbound());
        }
        assertThat(EdgeServiceTest.shake(edge, c, "victim", null).kind())
                .as("the victim is not capped by someone else's shakes")
                .isEqualTo(ShakeResult.Kind.ENVELOPE);
        // 20 made-up ids from one client: no session, nothing dispensed
        long before = edge.metrics().dispensed();
        for (int i = 0; i < 20; i++) {
            ch.writeInbound(post("/shake", "user=made-up-" + i + "&device=d", null));
            FullHttpResponse r = ch.readOutbound();
            assertThat(r.status().code()).isEqualTo(401);
            body(r);
        }
        assertThat(edge.metrics().dispensed()).isEqualTo(before);
        assertFalse(ch.finishAndReleaseAll());
    }

    /** Defect 4: after the blacklist switch, no envelope sealed with that key is handed out (the key id is in the clear header). */
    @Test
    void defect04_blacklistedKeysAreSkippedAtShake() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(8)
                .perAllocation(40)
                .rotatingKeys()
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        EdgeService edge = shakeEdge(
                c, EdgeSettings.builder(1).dispensePerSecond(1_000_000).build(), clock);
        int blocked = 2;
        new Switches(edge).apply(EdgeServiceTest.command(ControlAction.BLACKLIST_KEY, blocked, null, null));
        int winners = 0;
        for (int u = 0; u < 200; u++) {
            ShakeResult r = EdgeServiceTest.shake(edge, c, "u" + u, null);
            if (r.kind() == ShakeResult.Kind.ENVELOPE) {
                winners++;
                byte[] token = Base64Url.decode(r.token());
                assertThat(EnvelopeRecord.keyId(token, TokenLayout.OFF_RECORD))
                        .as("key of a dispensed envelope")
                        .isNotEqualTo(blocked);
            }
        }
        assertThat(winners).isGreaterThan(100);
        assertThat(edge.metrics().blacklistSkipped.sum()).isGreaterThan(0);
    }

    /** Defect 5: with an open waiting for Kafka, a malformed request behind it is answered after it, then the connection closes. */
    @Test
    void defect05_answersStayInRequestOrderEvenForAMalformedRequest() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(3)
                .perAllocation(20)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        EdgeService edge = openEdge(c, clock);
        try {
            String token = EdgeServiceTest.shake(edge, c, "carol", null).token();
            EmbeddedChannel ch = new EmbeddedChannel();
            EdgeInitializer.addHttp(ch.pipeline(), EdgeServiceTest.NO_PACING);
            ch.pipeline().addLast(new EdgeHandler(edge));
            String form = "device=dev-carol&token=" + token;
            String open = "POST /open HTTP/1.1\r\nHost: e\r\nAuthorization: " + c.auth("carol")
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" + "Content-Length: " + form.length()
                    + "\r\n\r\n" + form;
            ch.writeInbound(Unpooled.copiedBuffer(
                    open + "GET /shake HTTP/1.1\r\nContent-Length: banana\r\n\r\n", StandardCharsets.US_ASCII));
            assertThat(wire(ch)).as("nothing may overtake the waiting open").isEmpty();
            StringBuilder wire = new StringBuilder();
            await("the 400 after the open's answer")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        ch.runPendingTasks();
                        return wire.append(wire(ch)).indexOf("bad_request") >= 0;
                    });
            String out = wire.toString();
            assertThat(out.indexOf("\"result\":\"retry\"")).as(out).isGreaterThanOrEqualTo(0);
            assertThat(out.indexOf("bad_request")).isGreaterThan(out.indexOf("\"result\":\"retry\""));
            assertThat(ch.isOpen()).isFalse();
            ch.finishAndReleaseAll();
        } finally {
            edge.close();
        }
    }

    /** Defect 6: invalid percent-escapes in the path or the body are answered 400 (the connection used to close unanswered). */
    @Test
    void defect06_invalidEscapesAreAnswered400() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(3)
                .perAllocation(20)
                .sessionRing()
                .build(tmp.resolve("v"));
        EdgeService edge = shakeEdge(c, EdgeSettings.defaults(1), new ManualClock(GeneratedCampaign.T0 + 1000));
        EmbeddedChannel ch = new EmbeddedChannel(new EdgeHandler(edge));
        ch.writeInbound(post("/shake", "device=%zz", c.auth("a")));
        FullHttpResponse body = ch.readOutbound();
        assertThat(body.status().code()).isEqualTo(400);
        assertThat(body(body)).contains("percent-escape");
        ch.writeInbound(post("/sh%zzake", "device=dev-a", c.auth("a")));
        FullHttpResponse path = ch.readOutbound();
        assertThat(path.status().code()).isEqualTo(400);
        body(path);
        ch.writeInbound(post("/shake", "device=dev-a", c.auth("a")));
        FullHttpResponse after = ch.readOutbound();
        assertThat(after.status().code()).as("the connection still serves").isEqualTo(200);
        body(after);
        assertFalse(ch.finishAndReleaseAll());
    }

    /**
     * Defect 7: the winner memory used a public, unkeyed hash, so a user id landing on a capped user's slot was found in
     * a second and evicted that user. Here such an id is computed the way the attacker did (public hash); under the
     * keyed hash it lands elsewhere, and the capped user stays capped on this edge.
     */
    @Test
    void defect07_aCollidingUserIdCannotEvictACappedUser() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(6)
                .perAllocation(40)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        int cache = 1 << 12;
        EdgeSettings s = EdgeSettings.builder(1)
                .openRole(false)
                .dispensePerSecond(1_000_000)
                .reservationBlock(1000)
                .userCacheSize(cache)
                .build();
        EdgeService edge = shakeEdge(c, s, clock);
        String victim = "victim";
        int won = 0;
        for (int i = 0; i < 20 && won < 3; i++) {
            clock.advance(10);
            won += EdgeServiceTest.shake(edge, c, victim, null).kind() == ShakeResult.Kind.ENVELOPE ? 1 : 0;
        }
        assertThat(won).isEqualTo(3);
        String collider = publicHashCollision(victim, cache);
        assertThat(EdgeServiceTest.shake(edge, c, collider, null).kind()).isEqualTo(ShakeResult.Kind.ENVELOPE);
        for (int i = 0; i < 5; i++) {
            assertThat(EdgeServiceTest.shake(edge, c, victim, null).kind())
                    .as("victim after the collider won")
                    .isEqualTo(ShakeResult.Kind.CAPPED);
        }
    }

    /** The slot the old cache used: 64-bit FNV-1a with the ring's finalizer (public), times the golden ratio, folded. */
    private static String publicHashCollision(String victim, int capacity) {
        int target = oldSlot(victim, capacity);
        for (int i = 0; ; i++) {
            String id = "attacker-" + i;
            if (oldSlot(id, capacity) == target) {
                return id;
            }
        }
    }

    private static int oldSlot(String user, int capacity) {
        long key = EdgeRing.hash(user) * 0x9E3779B97F4A7C15L;
        return (int) (key ^ (key >>> 32)) & (capacity - 1);
    }

    /** Defect 8: a token has one spelling; an edit of its last character's spare bits is refused locally. */
    @Test
    void defect08_onlyTheCanonicalTokenOpens() throws Exception {
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(3)
                .perAllocation(20)
                .sessionRing()
                .build(tmp.resolve("v"));
        EdgeService edge = openEdge(c, new ManualClock(GeneratedCampaign.T0 + 1000));
        try {
            String token = EdgeServiceTest.shake(edge, c, "dan", null).token();
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            int last = alphabet.indexOf(token.charAt(token.length() - 1));
            for (int spare = 1; spare < 4; spare++) {
                String variant = token.substring(0, token.length() - 1) + alphabet.charAt(last ^ spare);
                OpenResult r = edge.open(c.session("dan"), "dev-dan", variant, "10.0.0.1", "t")
                        .get();
                assertThat(r.reason()).isEqualTo("MALFORMED_TOKEN");
            }
        } finally {
            edge.close();
        }
    }

    /** Defect 9: log lines cannot be forged; ambiguous framing is refused; shake and open answer 405 to other methods. */
    @Test
    void defect09_escapedLogsStrictFramingAndMethods() throws Exception {
        assertThat(HttpReplies.loggable("x\nedge 1: SWITCH blacklist key 99"))
                .doesNotContain("\n")
                .contains("\\u000a");
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(3)
                .perAllocation(20)
                .sessionRing()
                .build(tmp.resolve("v"));
        EdgeService edge = shakeEdge(c, EdgeSettings.defaults(1), new ManualClock(GeneratedCampaign.T0 + 1000));
        EmbeddedChannel admin = new EmbeddedChannel(new AdminHandler(new AdminService(edge, "admin-token-0123456789")));
        admin.writeInbound(post("/admin/x%0aedge%201:%20SWITCH%20blacklist%20key%2099", "", null));
        FullHttpResponse refused = admin.readOutbound();
        assertThat(refused.status().code()).isEqualTo(401);
        body(refused);
        admin.finishAndReleaseAll();

        EmbeddedChannel smuggle = new EmbeddedChannel();
        EdgeInitializer.addHttp(smuggle.pipeline(), EdgeServiceTest.NO_PACING);
        smuggle.pipeline().addLast(new EdgeHandler(edge));
        smuggle.writeInbound(Unpooled.copiedBuffer(
                "POST /shake HTTP/1.1\r\nHost: e\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "0\r\n\r\nGET /health HTTP/1.1\r\n\r\n",
                StandardCharsets.US_ASCII));
        String out = wire(smuggle);
        assertThat(out).startsWith("HTTP/1.1 400").doesNotContain("\"result\":\"ok\"");
        assertThat(smuggle.isOpen()).isFalse();
        smuggle.finishAndReleaseAll();

        EmbeddedChannel ch = new EmbeddedChannel(new EdgeHandler(edge));
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/shake"));
        FullHttpResponse get = ch.readOutbound();
        assertThat(get.status().code()).isEqualTo(405);
        assertThat(get.headers().get("Allow")).isEqualTo("POST");
        body(get);
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/open"));
        FullHttpResponse put = ch.readOutbound();
        assertThat(put.status().code()).isEqualTo(405);
        body(put);
        assertFalse(ch.finishAndReleaseAll());
    }
}
