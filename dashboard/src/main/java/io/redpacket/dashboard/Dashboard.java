package io.redpacket.dashboard;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Assembles the dashboard from its config: the script, the board and its metrics feed, the switchboard (control
 * topic, audit log) and the HTTP server. Wiring only.
 */
public final class Dashboard implements AutoCloseable {
    /** Everything the dashboard is told, parsed once by {@link DashboardCli}. */
    public record Config(
            String kafka,
            Path variantDir,
            OperatorTokens operators,
            Path auditLog,
            String host,
            int port,
            int historySeconds,
            String metricsTopic,
            String controlTopic,
            long pushIntervalMs) {}

    private final MetricFeed feed;
    private final KafkaControlSink control;
    private final AuditLog audit;
    private final DashboardServer server;
    private final MetricBoard board;

    private Dashboard(
            MetricFeed feed, KafkaControlSink control, AuditLog audit, DashboardServer server, MetricBoard board) {
        this.feed = feed;
        this.control = control;
        this.audit = audit;
        this.server = server;
        this.board = board;
    }

    public static Dashboard start(Config c) throws IOException {
        ScriptPlan plan = ScriptPlan.load(c.variantDir());
        MetricBoard board = new MetricBoard(plan, c.historySeconds());
        AuditLog audit = new AuditLog(c.auditLog());
        KafkaControlSink control = new KafkaControlSink(c.kafka(), c.controlTopic());
        MetricFeed feed = new MetricFeed(c.kafka(), c.metricsTopic(), c.historySeconds() * 1000L, board).start();
        Switchboard switches = new Switchboard(c.operators(), control, audit, plan.channels());
        try {
            DashboardServer server = DashboardServer.start(
                    c.host(), c.port(), new PageState(board, switches, audit, feed), switches, c.pushIntervalMs());
            return new Dashboard(feed, control, audit, server, board);
        } catch (IOException | RuntimeException e) {
            control.close();
            audit.close();
            try {
                feed.close();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    public MetricBoard board() {
        return board;
    }

    public Path auditLog() {
        return audit.file();
    }

    @Override
    public void close() {
        server.close();
        try {
            feed.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        control.close();
        try {
            audit.close();
        } catch (IOException ignored) {
            // Every entry was forced when written.
        }
    }
}
