package io.redpacket.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side (JDK {@code com.sun.net.httpserver}): the static page, {@code GET /events} (Server-Sent
 * Events), {@code GET /api/state}, {@code GET /api/whoami} and {@code POST /api/switch/<action>}, {@code GET
 * /health}. Routing and encoding only; what is shown comes from {@link PageState}, what a switch does from
 * {@link Switchboard}. Every answer carries a strict Content-Security-Policy: the page loads nothing but its
 * own script and style.
 */
public final class DashboardServer implements AutoCloseable {
    static final int MAX_BODY_BYTES = 4096;
    static final int MAX_PAGES = 32;
    private static final Map<String, String> STATIC =
            Map.of("/", "index.html", "/index.html", "index.html", "/app.js", "app.js", "/app.css", "app.css");

    private final HttpServer http;
    private final ExecutorService workers;
    private final EventStream events;
    private final PageState page;
    private final Switchboard switches;

    private DashboardServer(
            HttpServer http, ExecutorService workers, EventStream events, PageState page, Switchboard switches) {
        this.http = http;
        this.workers = workers;
        this.events = events;
        this.page = page;
        this.switches = switches;
    }

    public static DashboardServer start(
            String host, int port, PageState page, Switchboard switches, long pushIntervalMs) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 64);
        // Page streams are held by the event stream, not by a worker; workers serve requests and switches.
        ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "dashboard-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(workers);
        EventStream events = new EventStream(page::update, pushIntervalMs, MAX_PAGES);
        DashboardServer server = new DashboardServer(http, workers, events, page, switches);
        http.createContext("/", server::handle);
        http.start();
        return server;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    int pages() {
        return events.clients();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.startsWith("/api/switch/")) {
                if (!method.equals("POST")) {
                    json(ex, 405, "{\"error\":\"switches need POST\"}");
                    return;
                }
                String authorization = ex.getRequestHeaders().getFirst("Authorization");
                String action = path.substring("/api/switch/".length());
                Switchboard.Answer a;
                try {
                    a = switches.pull(authorization, action, params(ex), remote(ex));
                } catch (IllegalArgumentException e) {
                    a = switches.malformed(authorization, action, remote(ex), e.getMessage());
                }
                json(ex, a.status(), a.json().toString());
                return;
            }
            if (!method.equals("GET")) {
                json(ex, 405, "{\"error\":\"GET only\"}");
                return;
            }
            switch (path) {
                case "/events" -> events(ex);
                case "/api/state" -> json(ex, 200, page.full());
                case "/api/whoami" -> {
                    Switchboard.Answer a =
                            switches.whoAmI(ex.getRequestHeaders().getFirst("Authorization"), remote(ex));
                    json(ex, a.status(), a.json().toString());
                }
                case "/health" -> json(ex, 200, "{\"result\":\"ok\"}");
                default -> staticFile(ex, path);
            }
        } catch (IOException | RuntimeException e) {
            ex.close();
            if (e instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e;
        }
    }

    private void events(HttpExchange ex) throws IOException {
        if (events.clients() >= MAX_PAGES) {
            json(ex, 503, "{\"error\":\"too many open pages (" + MAX_PAGES + ")\"}");
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Accel-Buffering", "no");
        security(ex);
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        if (!events.add(out, page.full())) {
            out.close();
        }
        // The exchange stays open: the event stream writes to it until the page goes away.
    }

    private static void staticFile(HttpExchange ex, String path) throws IOException {
        String name = STATIC.get(path);
        if (name == null) {
            json(ex, 404, "{\"error\":\"not found\"}");
            return;
        }
        byte[] body;
        try (InputStream in = DashboardServer.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                throw new IOException("missing resource /web/" + name);
            }
            body = in.readAllBytes();
        }
        String type = name.endsWith(".html")
                ? "text/html; charset=utf-8"
                : name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        security(ex);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        security(ex);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void security(HttpExchange ex) {
        ex.getResponseHeaders()
                .set(
                        "Content-Security-Policy",
                        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
    }

    private static String remote(HttpExchange ex) {
        return ex.getRemoteAddress().getAddress().getHostAddress();
    }

    /** Query string and form-encoded body; a parameter given twice or a body over 4 KiB is a bad request. */
    static Map<String, String> params(HttpExchange ex) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        parseInto(out, ex.getRequestURI().getRawQuery());
        byte[] body = ex.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("request body over " + MAX_BODY_BYTES + " bytes");
        }
        parseInto(out, new String(body, StandardCharsets.UTF_8));
        return out;
    }

    static void parseInto(Map<String, String> out, String form) {
        if (form == null || form.isEmpty()) {
            return;
        }
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (out.put(k, v) != null) {
                throw new IllegalArgumentException(k + ": given twice");
            }
        }
    }

    @Override
    public void close() {
        events.close();
        http.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
