package io.redpacket.edge;

import io.redpacket.io.AtomicFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator switches, authenticated with a bearer token (constant-time compare) and logged one line each:
 * pause/resume, set the dispense rate, blacklist a key id, shift the slot countdown, declare an edge dead.
 * Every switch is saved to {@code <state>/switches.properties} (atomically) and re-applied at start, so a
 * restarted edge keeps the operator's decisions (a dead edge stays dead, a leaked key stays blocked).
 * No Netty type: {@link AdminHandler} maps HTTP onto {@link #handle}.
 */
public final class AdminService {
    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);
    public static final String SWITCHES_FILE = "switches.properties";

    public record Answer(int status, String json) {}

    private final EdgeService edge;
    private final byte[] token;
    private final Path switchesFile;

    public AdminService(EdgeService edge, String bearerToken, Path stateDir) {
        if (bearerToken == null || bearerToken.length() < 16) {
            throw new IllegalArgumentException("admin token must have at least 16 characters");
        }
        this.edge = edge;
        this.token = bearerToken.getBytes(StandardCharsets.UTF_8);
        this.switchesFile = stateDir.resolve(SWITCHES_FILE);
    }

    public boolean authorized(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, authorizationHeader.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    public Answer handle(String authorizationHeader, String action, Map<String, String> params) {
        if (!authorized(authorizationHeader)) {
            LOG.warn("edge {}: admin '{}' refused: bad or missing bearer token", edge.settings().edgeId(), action);
            return new Answer(401, new Json().str("error", "unauthorized").toString());
        }
        try {
            Answer a = apply(action, params);
            if (a.status == 200 && !action.equals("status")) {
                save();
            }
            return a;
        } catch (IllegalArgumentException e) {
            return new Answer(400, new Json().str("error", e.getMessage()).toString());
        } catch (IOException e) {
            LOG.error("edge {}: switch applied but not saved: {}", edge.settings().edgeId(), e.getMessage());
            return new Answer(500, new Json().str("error", "applied but not saved: " + e.getMessage()).toString());
        }
    }

    private Answer apply(String action, Map<String, String> params) {
        int id = edge.settings().edgeId();
        SlotSchedule schedule = edge.dispenser().schedule();
        switch (action) {
            case "status" -> {
                return ok();
            }
            case "pause" -> {
                edge.setPaused(true);
                LOG.warn("edge {}: SWITCH pause dispensing", id);
            }
            case "resume" -> {
                edge.setPaused(false);
                LOG.warn("edge {}: SWITCH resume dispensing", id);
            }
            case "rate" -> {
                long rate = longParam(params, "perSecond");
                long before = edge.rate();
                edge.setRate(rate);
                LOG.warn("edge {}: SWITCH dispense rate {} -> {}/s", id, before, rate);
            }
            case "blacklist" -> {
                int keyId = (int) longParam(params, "keyId");
                edge.blacklistKey(keyId);
                LOG.warn("edge {}: SWITCH blacklist key {}", id, keyId);
            }
            case "shift" -> {
                long delta = longParam(params, "ms");
                long total = schedule.shiftBy(delta);
                LOG.warn("edge {}: SWITCH countdown shifted by {} ms (total {} ms)", id, delta, total);
            }
            case "dead" -> {
                int dead = (int) longParam(params, "edge");
                String fromSlotId = params.get("fromSlot");
                int from;
                if (fromSlotId != null) {
                    from = schedule.indexOf(fromSlotId);
                    if (from < 0) {
                        throw new IllegalArgumentException("fromSlot: unknown slot '" + fromSlotId + "'");
                    }
                } else {
                    from = schedule.nextSlotIndex(edge.clock().nowMs());
                }
                edge.dispenser().table().declareDead(dead, from);
                LOG.warn("edge {}: SWITCH edge {} declared dead from slot index {}; shard table {}", id, dead, from,
                        edge.dispenser().table().describe());
            }
            default -> {
                return new Answer(404, new Json().str("error", "unknown action '" + action
                        + "' (status, pause, resume, rate, blacklist, shift, dead)").toString());
            }
        }
        return ok();
    }

    private Answer ok() {
        SlotSchedule schedule = edge.dispenser().schedule();
        return new Answer(200, new Json().str("result", "ok")
                .num("edge", edge.settings().edgeId())
                .str("paused", Boolean.toString(edge.paused()))
                .num("ratePerSecond", edge.rate())
                .num("shiftMs", schedule.shiftMs())
                .num("slotIndex", schedule.slotAt(edge.clock().nowMs()))
                .str("deadEdges", deadSpec(edge.dispenser().table().deadEdges()))
                .toString());
    }

    private static long longParam(Map<String, String> params, String name) {
        String v = params.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + ": required");
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + v + "' is not an integer");
        }
    }

    private static String deadSpec(Map<Integer, Integer> dead) {
        return dead.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "@" + e.getValue()).collect(Collectors.joining(","));
    }

    private void save() throws IOException {
        Properties p = new Properties();
        p.setProperty("paused", Boolean.toString(edge.paused()));
        p.setProperty("ratePerSecond", Long.toString(edge.rate()));
        p.setProperty("shiftMs", Long.toString(edge.dispenser().schedule().shiftMs()));
        p.setProperty("blacklist", java.util.Arrays.stream(edgeBlacklist()).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        p.setProperty("deadEdges", deadSpec(edge.dispenser().table().deadEdges()));
        AtomicFiles.write(switchesFile, tmp -> {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "operator switches of edge " + edge.settings().edgeId());
            }
        });
    }

    private int[] edgeBlacklist() {
        return edge.blacklist().blocked();
    }

    /** Re-applies saved switches at start; a damaged file is bad input naming the file and the entry. */
    public void restore() throws IOException {
        if (!Files.exists(switchesFile)) {
            return;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(switchesFile, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String entry = "";
        try {
            entry = "paused";
            edge.setPaused(Boolean.parseBoolean(p.getProperty(entry, "false")));
            entry = "ratePerSecond";
            if (p.getProperty(entry) != null) {
                edge.setRate(Long.parseLong(p.getProperty(entry)));
            }
            entry = "shiftMs";
            long shift = Long.parseLong(p.getProperty(entry, "0"));
            SlotSchedule schedule = edge.dispenser().schedule();
            schedule.shiftBy(shift - schedule.shiftMs());
            entry = "blacklist";
            for (String k : p.getProperty(entry, "").split(",")) {
                if (!k.isBlank()) {
                    edge.blacklistKey(Integer.parseInt(k.trim()));
                }
            }
            entry = "deadEdges";
            for (String d : p.getProperty(entry, "").split(",")) {
                if (!d.isBlank()) {
                    String[] parts = d.trim().split("@");
                    edge.dispenser().table().declareDead(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                }
            }
        } catch (RuntimeException e) {
            throw new IOException(switchesFile + ": " + entry + ": " + e.getMessage(), e);
        }
        LOG.warn("edge {}: restored operator switches from {}: {}", edge.settings().edgeId(), switchesFile, p);
    }
}
