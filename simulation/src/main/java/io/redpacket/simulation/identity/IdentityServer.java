package io.redpacket.simulation.identity;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.redpacket.net.TrustedProxies;
import io.redpacket.simulation.Answers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity service over HTTP (JDK server; it is off the hot path: one login per user per session lifetime).
 * <pre>
 *   POST /register  user=U&amp;device=D[&amp;clientVersion=V]          201 {"userId","secret"} | 400 | 409
 *   POST /login     user=U&amp;secret=S&amp;device=D[&amp;lifetimeS=N]     200 {"session","expiresAtMs"} | 400 | 401
 *   GET  /health                                                 200
 * </pre>
 * Form-encoded bodies, JSON answers. The client address is the peer's, or X-Forwarded-For's behind a trusted proxy.
 * Its logs are rewritten to {@code out} every 5 s and at close.
 */
public final class IdentityServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IdentityServer.class);
    private static final int MAX_BODY = 2048;

    private final IdentityService service;
    private final HttpServer server;
    private final ExecutorService threads;
    private final ScheduledExecutorService flusher;
    private final Path out;
    private final TrustedProxies proxies;

    private IdentityServer(
            IdentityService service,
            HttpServer server,
            ExecutorService threads,
            ScheduledExecutorService flusher,
            Path out,
            TrustedProxies proxies) {
        this.service = service;
        this.server = server;
        this.threads = threads;
        this.flusher = flusher;
        this.out = out;
        this.proxies = proxies;
    }

    public static IdentityServer start(IdentityService service, String host, int port, Path out, TrustedProxies proxies)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 1024);
        ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "identity-http");
            t.setDaemon(true);
            return t;
        });
        ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "identity-logs");
            t.setDaemon(true);
            return t;
        });
        IdentityServer s = new IdentityServer(service, server, threads, flusher, out, proxies);
        server.createContext("/", s::handle);
        server.setExecutor(threads);
        server.start();
        flusher.scheduleWithFixedDelay(s::flush, 5, 5, TimeUnit.SECONDS);
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void flush() {
        try {
            service.writeLogs(out);
        } catch (IOException | RuntimeException e) {
            LOG.warn("identity logs not written to {}: {}", out, e.toString());
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/health")) {
                answer(ex, 200, "{\"result\":\"ok\"}");
                return;
            }
            if (!ex.getRequestMethod().equals("POST") || !(path.equals("/register") || path.equals("/login"))) {
                answer(
                        ex,
                        path.equals("/register") || path.equals("/login") ? 405 : 404,
                        "{\"error\":\"POST /register or /login\"}");
                return;
            }
            Map<String, String> f;
            try (InputStream in = ex.getRequestBody()) {
                byte[] body = in.readNBytes(MAX_BODY + 1);
                if (body.length > MAX_BODY) {
                    answer(ex, 413, "{\"error\":\"body too large\"}");
                    return;
                }
                f = form(new String(body, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                answer(ex, 400, "{\"error\":\"invalid percent-escape\"}");
                return;
            }
            String ip = proxies.clientAddress(
                    ex.getRemoteAddress(), ex.getRequestHeaders().getFirst("X-Forwarded-For"));
            long now = System.currentTimeMillis();
            try {
                if (path.equals("/register")) {
                    String secret = service.register(f.get("user"), f.get("device"), ip, f.get("clientVersion"), now);
                    answer(
                            ex,
                            201,
                            Answers.JSON
                                    .createObjectNode()
                                    .put("userId", f.get("user"))
                                    .put("secret", secret)
                                    .toString());
                } else {
                    long life = 0;
                    if (f.containsKey("lifetimeS")) {
                        try {
                            life = Long.parseLong(f.get("lifetimeS"));
                        } catch (NumberFormatException e) {
                            throw new IdentityService.Refused(400, "lifetimeS: not an integer");
                        }
                    }
                    IdentityService.Login l =
                            service.login(f.get("user"), f.get("secret"), f.get("device"), ip, life, now);
                    answer(
                            ex,
                            200,
                            Answers.JSON
                                    .createObjectNode()
                                    .put("session", l.session())
                                    .put("expiresAtMs", l.expiresAtMs())
                                    .toString());
                }
            } catch (IdentityService.Refused r) {
                answer(
                        ex,
                        r.status,
                        Answers.JSON
                                .createObjectNode()
                                .put("error", r.getMessage())
                                .toString());
            }
        }
    }

    static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        flusher.shutdownNow();
        threads.shutdownNow();
        flush();
    }
}
