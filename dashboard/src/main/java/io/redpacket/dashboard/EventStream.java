package io.redpacket.dashboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Server-Sent Events to every open page: a page gets the full state when it connects, then every interval the
 * latest state with the chart points of the last seconds (late records can still change them; the page
 * overwrites points by second). A page that went away is dropped at the next write. Bounded: at most
 * {@code maxClients} pages.
 */
final class EventStream implements AutoCloseable {
    private final CopyOnWriteArrayList<OutputStream> clients = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService ticker;
    private final int maxClients;

    /**
     * @param update  the state JSON for every page, produced once per interval
     */
    EventStream(Supplier<String> update, long intervalMs, int maxClients) {
        this.maxClients = maxClients;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dashboard-events");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> tick(update), intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Registers a page's response stream after sending it the state {@code firstJson}; false if full. */
    boolean add(OutputStream out, String firstJson) {
        if (clients.size() >= maxClients) {
            return false;
        }
        try {
            write(out, "retry: 2000\n" + message(firstJson));
        } catch (IOException e) {
            close(out);
            return true;
        }
        clients.add(out);
        return true;
    }

    int clients() {
        return clients.size();
    }

    private void tick(Supplier<String> update) {
        if (clients.isEmpty()) {
            return;
        }
        try {
            String data = message(update.get());
            for (OutputStream out : clients) {
                try {
                    write(out, data);
                } catch (IOException e) {
                    clients.remove(out);
                    close(out);
                }
            }
        } catch (RuntimeException e) {
            // Never let one bad tick stop the schedule.
            org.slf4j.LoggerFactory.getLogger(EventStream.class).warn("event tick failed: {}", e.toString());
        }
    }

    /** One SSE message: {@code event: state}, the JSON on one data line (JSON has no raw newlines). */
    static String message(String json) {
        return "event: state\ndata: " + json + "\n\n";
    }

    private static void write(OutputStream out, String message) throws IOException {
        synchronized (out) {
            out.write(message.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private static void close(OutputStream out) {
        try {
            out.close();
        } catch (IOException ignored) {
            // Already gone.
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        List<OutputStream> all = List.copyOf(clients);
        clients.clear();
        all.forEach(EventStream::close);
    }
}
