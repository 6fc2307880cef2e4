package io.redpacket.simulation.gateway;

import static io.redpacket.simulation.Answers.answerOf;
import static io.redpacket.simulation.Answers.field;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.redpacket.avro.GatewayRequest;
import io.redpacket.envelope.EnvelopeRecord;
import io.redpacket.io.AtomicFiles;
import io.redpacket.session.SessionLayout;
import io.redpacket.token.Base64Url;
import io.redpacket.token.TokenLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The load balancer in front of the edges, with the access log a real one keeps: one record per shake and open
 * the crowd sends, with what the edge answered. The edges themselves keep only counters of what they reject
 * locally (forged tokens, tokens presented by another account, replays answered from memory), and those never
 * reach Kafka or settlement's Parquet logs; fraud analysis (notebooks/) needs them per account.
 *
 * <p>The log holds only what a gateway sees on the wire: the account (read from the clear part of the session
 * credential, which only the edge verifies), device and client IP the request claims, a SHA-256 prefix of the token
 * and of the session (never either), whether a state blob came with the shake, and the edge's status, result,
 * reason, envelope id and amount, and the client's User-Agent (last column, {@code userAgent}); {@code timeMs} is when the answer went back and {@code durationMs} how long the edge
 * took (a load balancer's request time), so {@code timeMs - durationMs} is when the request came in: whether a client
 * sent something after it had been answered, or while it was still waiting, is then a fact of the log, not a guess
 * from answer order. Nothing from the simulator's ground truth. It also watches one thing for the
 * campaign's verdict: the key id (clear header of the dispensed token) of every envelope handed out, so it can count
 * envelopes of a blacklisted key dispensed to shakes sent after every edge acknowledged the blacklist. It is written to
 * {@code .access-log.avro.inprogress} and renamed to {@code access-log.avro} when the gateway closes, so a reader
 * never sees a partial file under the final name. The rows are {@code GatewayRequest} records (schemas), so a reader
 * gets typed values and nulls, not text to split.
 *
 * <p>When an edge does not answer (killed in the fault drill), the client's connection is closed without a
 * reply, as a TCP load balancer would, so the client moves on to the next edge exactly as it does without a
 * gateway.
 */
public final class EdgeGateway implements AutoCloseable {
    public static final String LOG_NAME = "access-log.avro";

    private final Path dir;
    private final Path inProgress;
    private final DataFileWriter<GatewayRequest> log;
    private final HttpClient http;
    private final ExecutorService threads;
    private final List<HttpServer> servers = new ArrayList<>();
    private final Map<Integer, String> urls = new LinkedHashMap<>();
    private boolean closed;
    private volatile int watchedKey = -1;
    private volatile long watchFromMs = Long.MAX_VALUE;
    private final java.util.concurrent.atomic.AtomicLong watchedDispensed =
            new java.util.concurrent.atomic.AtomicLong();

    /** Starts one listener per edge (ephemeral ports on 127.0.0.1), logging to {@code dir}. */
    public static EdgeGateway start(Map<Integer, String> edgeUrls, Path dir) throws IOException {
        return new EdgeGateway(edgeUrls, dir);
    }

    private EdgeGateway(Map<Integer, String> edgeUrls, Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        this.inProgress = dir.resolve("." + LOG_NAME + ".inprogress");
        this.log = new DataFileWriter<>(new SpecificDatumWriter<>(GatewayRequest.class))
                .setCodec(CodecFactory.deflateCodec(1))
                .create(GatewayRequest.getClassSchema(), inProgress.toFile());
        // Requests block on the edge's answer (an open waits for Kafka's ack): a thread each, bounded by the
        // client's own in-flight limit.
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "edge-gateway");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        try {
            for (Map.Entry<Integer, String> e : edgeUrls.entrySet()) {
                HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
                int edgeId = e.getKey();
                URI upstream = URI.create(e.getValue());
                server.createContext("/", ex -> forward(edgeId, upstream, ex));
                server.setExecutor(threads);
                server.start();
                servers.add(server);
                urls.put(edgeId, "http://127.0.0.1:" + server.getAddress().getPort());
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The URL clients use for an edge instead of the edge's own. */
    public String url(int edgeId) {
        return urls.get(edgeId);
    }

    public Path logFile() {
        return dir.resolve(LOG_NAME);
    }

    private void forward(int edgeId, URI upstream, HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String xff = ex.getRequestHeaders().getFirst("X-Forwarded-For");
            String path = ex.getRequestURI().getPath();
            HttpRequest.Builder req = HttpRequest.newBuilder(
                            upstream.resolve(ex.getRequestURI().toString()))
                    .timeout(Duration.ofSeconds(60));
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            if (type != null) {
                req.header("Content-Type", type);
            }
            if (xff != null) {
                req.header("X-Forwarded-For", xff);
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                req.header("Authorization", auth);
            }
            String agent = ex.getRequestHeaders().getFirst("User-Agent");
            if (agent != null) {
                req.header("User-Agent", agent);
            }
            long sentMs = System.currentTimeMillis();
            req.method(
                    ex.getRequestMethod(),
                    body.length == 0
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> res;
            try {
                res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                // Edge down: close without an answer (ExchangeImpl closes the connection when no header was sent).
                return;
            }
            if (path.equals("/shake") || path.equals("/open")) {
                record(
                        edgeId,
                        path,
                        body,
                        xff,
                        auth,
                        agent,
                        sentMs,
                        res.statusCode(),
                        new String(res.body(), StandardCharsets.UTF_8));
            }
            res.headers()
                    .firstValue("Content-Type")
                    .ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
            ex.sendResponseHeaders(res.statusCode(), res.body().length == 0 ? -1 : res.body().length);
            if (res.body().length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(res.body());
                }
            }
        }
    }

    private void record(
            int edgeId,
            String path,
            byte[] body,
            String xff,
            String auth,
            String agent,
            long sentMs,
            int status,
            String answer)
            throws IOException {
        Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
        JsonNode reply = answerOf(answer);
        boolean open = path.equals("/open");
        // Opens: the token presented; shakes: the token dispensed. The same hash links a dispense to its opens.
        String token = open ? form.get("token") : field(reply, "token", null);
        if (!open && token != null) {
            watch(token, sentMs);
        }
        String session =
                auth != null && auth.startsWith("Session ") ? auth.substring(8).trim() : null;
        String user = session == null ? null : SessionLayout.unverifiedUser(session);
        String clientIp = xff == null ? null : xff.split(",")[0].trim();
        long answeredMs = System.currentTimeMillis();
        GatewayRequest row = GatewayRequest.newBuilder()
                .setTimeMs(answeredMs)
                .setEdgeId(edgeId)
                .setPath(path.substring(1))
                .setUserId(user)
                .setDeviceId(form.get("device"))
                .setClientIp(clientIp)
                .setHasState(open ? null : form.containsKey("state"))
                .setTokenHash(token == null ? null : tokenHash(token))
                .setHttpStatus(status)
                .setResult(field(reply, "result", null))
                .setReason(reply.has("reason") ? field(reply, "reason", null) : field(reply, "detail", null))
                .setEnvelopeId(wholeNumber(reply, "envelopeId"))
                .setAmountFen(wholeNumber(reply, "amountFen"))
                .setSessionHash(session == null ? null : tokenHash(session))
                .setDurationMs(Math.max(0, answeredMs - sentMs))
                .setUserAgent(agent)
                .build();
        synchronized (this) {
            if (!closed) {
                log.append(row);
            }
        }
    }

    /** From now on, count envelopes of {@code keyId} dispensed to shakes sent at or after {@code fromMs}. */
    public void watchKey(int keyId, long fromMs) {
        watchedKey = keyId;
        watchFromMs = fromMs;
    }

    public long watchedDispensed() {
        return watchedDispensed.get();
    }

    private void watch(String token, long sentMs) {
        if (sentMs < watchFromMs) {
            return;
        }
        byte[] t = Base64Url.decode(token);
        if (t != null
                && t.length == TokenLayout.TOKEN_BYTES
                && EnvelopeRecord.keyId(t, TokenLayout.OFF_RECORD) == watchedKey) {
            watchedDispensed.incrementAndGet();
        }
    }

    /** First 16 bytes of SHA-256, hex: enough to link presentations of one token, useless to present it. */
    static String tokenHash(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** A top-level whole number of the answer; null when absent or not one (an edge's answer is never trusted to be well formed). */
    static Long wholeNumber(JsonNode answer, String name) {
        JsonNode v = answer.path(name);
        return v.canConvertToExactIntegral() && v.canConvertToLong() ? v.asLong() : null;
    }

    /** Stops listening and publishes the access log under its final name. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        servers.forEach(s -> s.stop(0));
        threads.shutdownNow();
        log.close();
        AtomicFiles.moveAtomically(inProgress, logFile());
    }
}
