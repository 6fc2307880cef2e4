package io.redpacket.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
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

    /** A fake edge: shakes win a token, opens are rejected as not authentic; echoes the forwarded client IP. */
    private static HttpServer fakeEdge() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String xff = ex.getRequestHeaders().getFirst("X-Forwarded-For");
            byte[] body = (path.equals("/shake")
                    ? "{\"result\":\"envelope\",\"token\":\"TOKEN-A\",\"state\":\"S1\",\"nextShakeMs\":1000,\"detail\":\"" + xff + "\"}"
                    : "{\"result\":\"rejected\",\"reason\":\"TOKEN_NOT_AUTHENTIC\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(path.equals("/shake") ? 200 : 403, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.start();
        return s;
    }

    private static HttpResponse<String> post(String url, String form) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Forwarded-For", "10.1.2.3").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void forwardsAndLogsWhatTheEdgeAnswered() throws Exception {
        HttpServer edge = fakeEdge();
        try {
            EdgeGateway gw = EdgeGateway.start(Map.of(7, "http://127.0.0.1:" + edge.getAddress().getPort()), dir);
            HttpResponse<String> shake = post(gw.url(7) + "/shake", "user=u1");
            HttpResponse<String> open = post(gw.url(7) + "/open", "user=u2&token=TOKEN-A&device=d%2C2&clientVersion=x");
            assertThat(shake.statusCode()).isEqualTo(200);
            assertThat(shake.body()).contains("TOKEN-A").contains("10.1.2.3");
            assertThat(open.statusCode()).isEqualTo(403);
            assertThat(Files.exists(gw.logFile())).as("published only on close").isFalse();
            gw.close();
            gw.close();

            List<String> lines = Files.readAllLines(gw.logFile());
            assertThat(lines).hasSize(3).first().isEqualTo(EdgeGateway.HEADER);
            String hash = EdgeGateway.tokenHash("TOKEN-A");
            assertThat(lines.get(1)).endsWith(",7,shake,u1,,10.1.2.3,false," + hash + ",200,envelope,10.1.2.3,,");
            assertThat(lines.get(2)).endsWith(",7,open,u2,d;2,10.1.2.3,," + hash + ",403,rejected,TOKEN_NOT_AUTHENTIC,,");
            assertThat(lines.get(2)).doesNotContain("TOKEN-A");
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly(EdgeGateway.LOG_NAME);
            }
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
            assertThatThrownBy(() -> post(gw.url(1) + "/shake", "user=u1")).isInstanceOf(IOException.class);
        }
        assertThat(Files.readAllLines(dir.resolve(EdgeGateway.LOG_NAME))).containsExactly(EdgeGateway.HEADER);
    }
}
