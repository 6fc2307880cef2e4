package io.redpacket.dashboard;

import static io.redpacket.dashboard.Samples.metric;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP side over a real socket: the page, the event stream, the state, and switch requests refused with 4xx. */
@Timeout(60)
class DashboardServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    MetricBoard board;
    AuditLog audit;
    SwitchboardTest.Control control;
    DashboardServer server;
    String base;

    @BeforeEach
    void start() throws Exception {
        board = new MetricBoard(Samples.plan(), 60);
        audit = new AuditLog(tmp.resolve("audit.log"));
        control = new SwitchboardTest.Control();
        Switchboard sb = new Switchboard(
                OperatorTokens.parse("alice:" + SwitchboardTest.ALICE, "t"),
                control,
                audit,
                Set.of("cash", "coupon-travel"));
        server = DashboardServer.start("127.0.0.1", 0, new PageState(board, sb, audit, null), sb, 200);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        audit.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePageWithAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'self'", "script-src 'self'");
        assertThat(page.body())
                .contains("<script src=\"app.js\"", "id=\"chart-throughput\"", "id=\"sw-pause\"")
                .doesNotContain("http://", "https://");
        assertThat(get("/app.js").body()).contains("new EventSource('events')");
        assertThat(get("/app.css").statusCode()).isEqualTo(200);
        assertThat(get("/../pom.xml").statusCode()).isEqualTo(404);
        assertThat(get("/health").body()).isEqualTo("{\"result\":\"ok\"}");
    }

    @Test
    void pushesTheFullStateThenUpdatesOverServerSentEvents() throws Exception {
        long now = System.currentTimeMillis();
        board.accept(metric("settlement", "opens", 5, now - 2000));
        board.accept(metric("settlement", "opens", 25, now - 1000));
        HttpResponse<java.io.InputStream> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            JsonNode first = nextState(in);
            assertThat(first.get("full").asBoolean()).isTrue();
            assertThat(first.get("totals").get("opens").asLong()).isEqualTo(25);
            assertThat(first.get("switches").get("enabled").asBoolean()).isTrue();
            assertThat(first.get("switches").get("channels"))
                    .extracting(JsonNode::asText)
                    .containsExactly("cash", "coupon-travel");
            board.accept(metric("settlement", "opens", 45, now));
            JsonNode update = nextState(in);
            while (update.get("totals").get("opens").asLong() != 45) {
                update = nextState(in);
            }
            assertThat(update.get("full").asBoolean()).isFalse();
            assertThat(update.get("points").size()).isLessThanOrEqualTo(PageState.UPDATE_SECONDS);
        }
        assertThat(JSON.readTree(get("/api/state").body())
                        .get("totals")
                        .get("opens")
                        .asLong())
                .isEqualTo(45);
    }

    private static JsonNode nextState(BufferedReader in) throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("data: ")) {
                return JSON.readTree(line.substring(6));
            }
        }
        throw new AssertionError("event stream ended");
    }

    @Test
    void switchRequestsAreAuthenticatedValidatedAndNeedPost() throws Exception {
        assertThat(post("/api/switch/pause", "", "wrong-token-0000000000").statusCode())
                .isEqualTo(401);
        assertThat(post("/api/switch/pause", "", null).statusCode()).isEqualTo(401);
        HttpResponse<String> bad = post("/api/switch/rate", "perSecond=abc", SwitchboardTest.ALICE);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").asText()).startsWith("perSecond: 'abc' is not an integer");
        assertThat(post("/api/switch/rate", "perSecond=1&perSecond=2", SwitchboardTest.ALICE)
                        .statusCode())
                .isEqualTo(400);
        assertThat(post("/api/switch/rate", "perSecond=" + "9".repeat(5000), SwitchboardTest.ALICE)
                        .statusCode())
                .isEqualTo(400);
        assertThat(post("/api/switch/rate", "perSecond=%zz", SwitchboardTest.ALICE)
                        .statusCode())
                .isEqualTo(400);
        assertThat(get("/api/switch/pause").statusCode()).isEqualTo(405);
        assertThat(control.published).isEmpty();

        HttpResponse<String> ok = post("/api/switch/rate", "perSecond=300", SwitchboardTest.ALICE);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(control.published).hasSize(1);
        assertThat(control.published.get(0).getValue()).isEqualTo(300L);
        assertThat(audit.recent().get(0).get("outcome").asText()).isEqualTo("published");
        assertThat(audit.recent())
                .extracting(e -> e.get("outcome").asText())
                .containsExactly(
                        "published", "rejected", "rejected", "rejected", "rejected", "unauthorized", "unauthorized");
    }
}
