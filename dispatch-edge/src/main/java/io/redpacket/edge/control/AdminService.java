package io.redpacket.edge.control;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.edge.EdgeService;
import io.redpacket.edge.dispense.SlotSchedule;
import io.redpacket.edge.http.HttpReplies;
import io.redpacket.edge.http.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port, for local diagnostics: {@code GET /admin/status} (switch states and the control offset applied),
 * and the same switches as the control topic for an edge run by hand without Kafka. Switches reach a fleet through
 * the control topic; one pulled here is not saved and is not seen by other edges, and the topic wins at the next
 * restart. Authenticated with a bearer token (constant-time compare); what a refused call asked for is logged
 * escaped (a {@code %0a} in the path cannot forge a log line).
 */
public final class AdminService {
    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);

    public record Answer(int status, String json) {}

    private final EdgeService edge;
    private final Switches switches;
    private final byte[] token;

    public AdminService(EdgeService edge, String bearerToken) {
        if (bearerToken == null || bearerToken.length() < 16) {
            throw new IllegalArgumentException("admin token must have at least 16 characters");
        }
        this.edge = edge;
        this.switches = new Switches(edge);
        this.token = bearerToken.getBytes(StandardCharsets.UTF_8);
    }

    public boolean authorized(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(
                token, authorizationHeader.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    public Answer handle(String authorizationHeader, String action, Map<String, String> params) {
        if (!authorized(authorizationHeader)) {
            LOG.warn(
                    "edge {}: admin '{}' refused: bad or missing bearer token",
                    edge.settings().edgeId(),
                    HttpReplies.loggable(action));
            return new Answer(401, new Json().str("error", "unauthorized").toString());
        }
        try {
            if (action.equals("status")) {
                return ok();
            }
            ControlCommand c = command(action, params);
            if (c == null) {
                return new Answer(
                        404,
                        new Json()
                                .str(
                                        "error",
                                        "unknown action (status, pause, resume, rate, blacklist, unblacklist, shift, dead)")
                                .toString());
            }
            Switches.Outcome o = switches.apply(c);
            return o == Switches.Outcome.APPLIED
                    ? ok()
                    : new Answer(
                            400,
                            new Json()
                                    .str("error", "switch " + o.name().toLowerCase())
                                    .toString());
        } catch (IllegalArgumentException e) {
            return new Answer(400, new Json().str("error", e.getMessage()).toString());
        }
    }

    private ControlCommand command(String action, Map<String, String> params) {
        ControlCommand.Builder b = ControlCommand.newBuilder()
                .setCommandId("admin-" + System.currentTimeMillis())
                .setIssuedAtMs(System.currentTimeMillis())
                .setOperator("admin-port");
        switch (action) {
            case "pause" -> b.setAction(ControlAction.PAUSE_DISPENSING);
            case "resume" -> b.setAction(ControlAction.RESUME_DISPENSING);
            case "rate" -> b.setAction(ControlAction.SET_DISPENSE_RATE).setValue(longParam(params, "perSecond"));
            case "blacklist" -> b.setAction(ControlAction.BLACKLIST_KEY).setKeyId((int) longParam(params, "keyId"));
            case "unblacklist" -> b.setAction(ControlAction.UNBLACKLIST_KEY).setKeyId((int) longParam(params, "keyId"));
            case "shift" -> b.setAction(ControlAction.SHIFT_COUNTDOWN).setValue(longParam(params, "ms"));
            case "dead" -> {
                b.setAction(ControlAction.DECLARE_EDGE_DEAD).setEdgeId((int) longParam(params, "edge"));
                String fromSlot = params.get("fromSlot");
                if (fromSlot != null) {
                    int from = edge.dispenser().schedule().indexOf(fromSlot);
                    if (from < 0) {
                        throw new IllegalArgumentException("fromSlot: unknown slot '" + fromSlot + "'");
                    }
                    b.setValue((long) from);
                }
            }
            default -> {
                return null;
            }
        }
        return b.build();
    }

    private Answer ok() {
        SlotSchedule schedule = edge.dispenser().schedule();
        return new Answer(
                200,
                new Json()
                        .str("result", "ok")
                        .num("edge", edge.settings().edgeId())
                        .str("paused", Boolean.toString(edge.paused()))
                        .num("ratePerSecond", edge.rate())
                        .num("shiftMs", schedule.shiftMs())
                        .num("slotIndex", schedule.slotAt(edge.clock().nowMs()))
                        .str("deadEdges", deadSpec(edge.dispenser().table().deadEdges()))
                        .str(
                                "blacklist",
                                java.util.Arrays.stream(edge.blacklist().blocked())
                                        .mapToObj(Integer::toString)
                                        .collect(Collectors.joining(",")))
                        .num("controlOffset", edge.controlOffset())
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
            throw new IllegalArgumentException(name + ": '" + HttpReplies.loggable(v) + "' is not an integer");
        }
    }

    private static String deadSpec(Map<Integer, Integer> dead) {
        return dead.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "@" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
