package io.redpacket.campaign;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Talks to one edge the way an operator would: health, authenticated admin switches, Prometheus metrics. */
final class EdgeClient {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final int edgeId;
    private final String publicUrl;
    private final String adminUrl;
    private final String adminToken;

    EdgeClient(int edgeId, int port, int adminPort, String adminToken) {
        this.edgeId = edgeId;
        this.publicUrl = "http://127.0.0.1:" + port;
        this.adminUrl = "http://127.0.0.1:" + adminPort;
        this.adminToken = adminToken;
    }

    String publicUrl() {
        return publicUrl;
    }

    boolean healthy() {
        try {
            return HTTP.send(
                                    HttpRequest.newBuilder(URI.create(publicUrl + "/health"))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** An admin switch, e.g. {@code admin("shift?ms=-1000")}; fails with the edge's answer if refused. */
    String admin(String actionAndQuery) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(adminUrl + "/admin/" + actionAndQuery))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + adminToken)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException(
                        "edge " + edgeId + " refused admin " + actionAndQuery + ": " + r.statusCode() + " " + r.body());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The edge's acknowledgement of the control topic (every command below it applied), -1 if it does not answer. */
    long controlOffset() {
        Double d = metrics().get("redpacket_edge_control_offset");
        return d == null ? -1 : d.longValue();
    }

    /** Metric name -> value, labelled series summed; empty if the edge does not answer. */
    Map<String, Double> metrics() {
        Map<String, Double> out = new HashMap<>();
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(publicUrl + "/metrics"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int brace = line.indexOf('{');
                int space = line.lastIndexOf(' ');
                if (space < 0) {
                    continue;
                }
                String name = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
                try {
                    out.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
                } catch (NumberFormatException ignored) {
                    // Not a sample line.
                }
            }
        } catch (IOException e) {
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}
