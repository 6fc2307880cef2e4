package io.redpacket.simulation.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.redpacket.avro.GatewayRequest;
import io.redpacket.io.AvroFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway forwards to the edge unchanged, logs what it saw, and looks like a dead edge when the edge is. */
class EdgeGatewayTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static final long OPEN_TAKES_MS = 300;

    /** A fake edge: shakes win a token, opens are rejected as not authentic (after a while); echoes the forwarded client IP. */
    private static HttpServer fakeEdge() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String xff = ex.getRequestHeaders().getFirst("X-Forwarded-For");
            byte[] body = (path.equals("/shake")
                            ? "{\"result\":\"envelope\",\"token\":\"TOKEN-A\",\"state\":\"S1\",\"nextShakeMs\":1000,\"detail\":\""
                                    + xff + "\"}"
                            : "{\"result\":\"rejected\",\"reason\":\"TOKEN_NOT_AUTHENTIC\"}")
                    .getBytes(StandardCharsets.UTF_8);
            if (path.equals("/open")) {
                try {
                    Thread.sleep(OPEN_TAKES_MS); // an open waits for Kafka's ack
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ex.sendResponseHeaders(path.equals("/shake") ? 200 : 403, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        return s;
    }

    static final io.redpacket.keys.KeyRing SESSIONS =
            io.redpacket.keys.KeyRing.generateSessionRing(new java.security.SecureRandom());

    /** A session credential of {@code user} (the gateway reads the user from its clear part; only edges verify it). */
    static String session(String user) {
        return new io.redpacket.session.SessionSigner(SESSIONS).sign(user, "d1", System.currentTimeMillis(), 600);
    }

    private static HttpResponse<String> post(String url, String form, String session) throws Exception {
        return post(url, form, session, "RedPacket/8.0.43 (iPhone; iOS 17.1.2; Scale/3.00) CFNetwork/1474");
    }

    private static HttpResponse<String> post(String url, String form, String session, String agent) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("X-Forwarded-For", "10.1.2.3")
                        .header("Authorization", "Session " + session)
                        .header("User-Agent", agent)
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void forwardsAndLogsWhatTheEdgeAnswered() throws Exception {
        HttpServer edge = fakeEdge();
        try {
            EdgeGateway gw = EdgeGateway.start(
                    Map.of(7, "http://127.0.0.1:" + edge.getAddress().getPort()), dir);
            String s1 = session("u1");
            String s2 = session("u2");
            HttpResponse<String> shake = post(gw.url(7) + "/shake", "device=d1", s1);
            long openSent = System.currentTimeMillis();
            HttpResponse<String> open = post(
                    gw.url(7) + "/open",
                    "token=TOKEN-A&device=d%2C2&clientVersion=x",
                    s2,
                    "Mozilla/5.0 (KHTML, like Gecko)");
            long openAnswered = System.currentTimeMillis();
            assertThat(shake.statusCode()).isEqualTo(200);
            assertThat(shake.body()).contains("TOKEN-A").contains("10.1.2.3");
            assertThat(open.statusCode()).isEqualTo(403);
            assertThat(Files.exists(gw.logFile())).as("published only on close").isFalse();
            gw.close();
            gw.close();

            List<GatewayRequest> rows = AvroFiles.readAll(gw.logFile(), GatewayRequest.class);
            assertThat(rows).hasSize(2);
            String hash = EdgeGateway.tokenHash("TOKEN-A");
            GatewayRequest shaken = rows.get(0);
            assertThat(List.of(
                            shaken.getEdgeId(),
                            shaken.getPath(),
                            shaken.getUserId(),
                            shaken.getDeviceId(),
                            shaken.getClientIp(),
                            shaken.getTokenHash(),
                            shaken.getHttpStatus(),
                            shaken.getResult(),
                            shaken.getReason(),
                            shaken.getSessionHash(),
                            shaken.getUserAgent()))
                    .containsExactly(
                            7,
                            "shake",
                            "u1",
                            "d1",
                            "10.1.2.3",
                            hash,
                            200,
                            "envelope",
                            "10.1.2.3",
                            EdgeGateway.tokenHash(s1),
                            "RedPacket/8.0.43 (iPhone; iOS 17.1.2; Scale/3.00) CFNetwork/1474");
            assertThat(shaken.getHasState()).isFalse();
            assertThat(shaken.getEnvelopeId()).isNull();
            GatewayRequest opened = rows.get(1);
            // Values are logged as they came: a comma in a device id or a User-Agent is data, not a column break.
            assertThat(List.of(
                            opened.getEdgeId(),
                            opened.getPath(),
                            opened.getUserId(),
                            opened.getDeviceId(),
                            opened.getClientIp(),
                            opened.getTokenHash(),
                            opened.getHttpStatus(),
                            opened.getResult(),
                            opened.getReason(),
                            opened.getSessionHash(),
                            opened.getUserAgent()))
                    .containsExactly(
                            7,
                            "open",
                            "u2",
                            "d,2",
                            "10.1.2.3",
                            hash,
                            403,
                            "rejected",
                            "TOKEN_NOT_AUTHENTIC",
                            EdgeGateway.tokenHash(s2),
                            "Mozilla/5.0 (KHTML, like Gecko)");
            assertThat(opened.getHasState()).as("opens carry no state blob").isNull();
            // When the open came in and when it was answered: the edge's time is in durationMs.
            assertThat(opened.getDurationMs()).isGreaterThanOrEqualTo(OPEN_TAKES_MS);
            assertThat(opened.getTimeMs() - opened.getDurationMs()).isBetween(openSent, openAnswered);
            assertThat(opened.getTimeMs()).isLessThanOrEqualTo(openAnswered);
            assertThat(opened.toString()).doesNotContain("TOKEN-A").doesNotContain(s2);
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly(EdgeGateway.LOG_NAME);
            }
        } finally {
            edge.stop(0);
        }
    }

    /** An edge answering with escaped quotes and nested values: the log reads the answer's own top-level fields. */
    @Test
    void logsTheTopLevelFieldsOfAnswersWithEscapedQuotesAndNestedValues() throws Exception {
        HttpServer edge = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        edge.createContext("/", ex -> {
            byte[] body = (ex.getRequestURI().getPath().equals("/shake")
                            ? "{\"result\":\"nothing\",\"detail\":\"say \\\"hi\\\", later\",\"extra\":{\"result\":\"x\",\"envelopeId\":9},\"nextShakeMs\":1000}"
                            : "{\"meta\":{\"reason\":\"nested\",\"amountFen\":1},\"result\":\"opened\",\"envelopeId\":42,\"amountFen\":-188,\"sponsorId\":\"sp\\\\1\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        edge.start();
        try {
            EdgeGateway gw = EdgeGateway.start(
                    Map.of(3, "http://127.0.0.1:" + edge.getAddress().getPort()), dir);
            assertThat(post(gw.url(3) + "/shake", "device=d1", session("u1")).body())
                    .contains("say \\\"hi\\\"");
            post(gw.url(3) + "/open", "token=T&device=d1", session("u1"));
            gw.close();
            List<GatewayRequest> rows = AvroFiles.readAll(gw.logFile(), GatewayRequest.class);
            assertThat(List.of(
                            rows.get(0).getHttpStatus(),
                            rows.get(0).getResult(),
                            rows.get(0).getReason()))
                    .containsExactly(200, "nothing", "say \"hi\", later");
            assertThat(rows.get(0).getEnvelopeId())
                    .as("a nested envelopeId is not the answer's")
                    .isNull();
            assertThat(List.of(
                            rows.get(1).getResult(),
                            rows.get(1).getEnvelopeId(),
                            rows.get(1).getAmountFen()))
                    .containsExactly("opened", 42L, -188L);
            assertThat(rows.get(1).getReason()).isNull();
        } finally {
            edge.stop(0);
        }
    }

    @Test
    void aDeadEdgeLooksDeadToTheClient() throws Exception {
        HttpServer edge = fakeEdge();
        int port = edge.getAddress().getPort();
        edge.stop(0);
        try (EdgeGateway gw = EdgeGateway.start(Map.of(1, "http://127.0.0.1:" + port), dir)) {
            assertThatThrownBy(() -> post(gw.url(1) + "/shake", "device=d1", session("u1")))
                    .isInstanceOf(IOException.class);
        }
        assertThat(AvroFiles.readAll(dir.resolve(EdgeGateway.LOG_NAME), GatewayRequest.class))
                .as("published, with no request in it")
                .isEmpty();
    }
}
