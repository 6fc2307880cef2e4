package io.redpacket.dashboard;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One edge's admin port over HTTP, with the edge admin bearer token (from config, never logged). */
final class HttpEdgeAdmin implements Switchboard.EdgeAdmin {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private final String hostPort;
    private final String token;
    private final Duration timeout;

    HttpEdgeAdmin(String hostPort, String token, Duration timeout) {
        this.hostPort = hostPort;
        this.token = token;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return hostPort;
    }

    @Override
    public Switchboard.Outcome post(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/admin/" + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** {@code GET /admin/status}: what the edge says it is doing now. */
    Switchboard.Outcome status() {
        return send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/admin/status")).GET());
    }

    private Switchboard.Outcome send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = HTTP.send(b.timeout(timeout).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Switchboard.Outcome(r.statusCode() == 200, r.statusCode(), r.body());
        } catch (IOException e) {
            return new Switchboard.Outcome(false, 0, "unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Switchboard.Outcome(false, 0, "interrupted");
        }
    }
}
