package io.redpacket.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON the page renders: the board's view plus what the page needs to offer the switches (are they on,
 * which edges and channels, the latest audit entries). A full state carries every kept second of the charts;
 * an update only the last {@link #UPDATE_SECONDS} (records arriving late can still change them).
 */
final class PageState {
    static final int UPDATE_SECONDS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MetricBoard board;
    private final Switchboard switches;
    private final AuditLog audit;
    private final MetricFeed feed;

    PageState(MetricBoard board, Switchboard switches, AuditLog audit, MetricFeed feed) {
        this.board = board;
        this.switches = switches;
        this.audit = audit;
        this.feed = feed;
    }

    String full() {
        return json(Long.MIN_VALUE, true);
    }

    String update() {
        return json(board.latestSecond() - UPDATE_SECONDS, false);
    }

    private String json(long afterSecond, boolean full) {
        ObjectNode v = board.view(afterSecond, System.currentTimeMillis());
        v.put("full", full);
        v.put("feedReading", feed == null || feed.reading());
        ObjectNode sw = v.putObject("switches");
        sw.put("enabled", switches.enabled());
        sw.put("controlTopic", switches.controlTopic());
        ArrayNode channels = sw.putArray("channels");
        switches.channels().stream().sorted().forEach(channels::add);
        ArrayNode recent = v.putArray("audit");
        audit.recent().forEach(recent::add);
        try {
            return JSON.writeValueAsString(v);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
