package io.redpacket.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redpacket.avro.ControlCommand;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls an operator switch: authenticates the operator (bearer token), validates the request (a bad one changes
 * nothing), forwards it to every edge's admin port and/or publishes it as a {@link ControlCommand} with the
 * operator's name on the control topic, and writes the audit entry with the outcome per target before answering.
 * One switch at a time, so two operators' switches never interleave on the edges. No HTTP types: the server
 * maps requests onto {@link #pull}.
 */
public final class Switchboard {
    private static final Logger LOG = LoggerFactory.getLogger(Switchboard.class);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> KNOWN_PARAMETERS = Set.of("perSecond", "keyId", "ms", "channel");

    /** What one target did with a switch. */
    public record Outcome(boolean ok, int status, String detail) {}

    /** One edge's admin port. */
    public interface EdgeAdmin {
        String name();

        /** POSTs {@code /admin/<pathAndQuery>} with the edge admin token; never throws. */
        Outcome post(String pathAndQuery);
    }

    /** The control topic. */
    public interface ControlSink {
        String name();

        /** Publishes and waits for the acknowledgement; never throws. */
        Outcome publish(ControlCommand command);
    }

    public record Answer(int status, ObjectNode json) {}

    private final OperatorTokens tokens;
    private final List<EdgeAdmin> edges;
    private final ControlSink control;
    private final AuditLog audit;
    private final Set<String> channels;

    public Switchboard(OperatorTokens tokens, List<EdgeAdmin> edges, ControlSink control, AuditLog audit, Set<String> channels) {
        this.tokens = tokens;
        this.edges = List.copyOf(edges);
        this.control = control;
        this.audit = audit;
        this.channels = Set.copyOf(channels);
    }

    public boolean enabled() {
        return !tokens.isEmpty();
    }

    public List<String> edgeNames() {
        return edges.stream().map(EdgeAdmin::name).toList();
    }

    public Set<String> channels() {
        return channels;
    }

    /** Which operator a bearer header belongs to (for the page's sign-in check); audited when refused. */
    public synchronized Answer whoAmI(String authorization, String remote) {
        String operator = tokens.operatorOf(authorization);
        if (operator == null) {
            return refuse(401, "unauthorized", "whoami", Map.of(), null, remote, "missing or wrong operator token");
        }
        ObjectNode j = F.objectNode();
        j.put("operator", operator);
        return new Answer(200, j);
    }

    /** A request whose parameters could not even be read (duplicate, too long, bad encoding): 400, audited. */
    public synchronized Answer malformed(String authorization, String action, String remote, String message) {
        return refuse(400, "rejected", action, Map.of(), tokens.operatorOf(authorization), remote, message);
    }

    public synchronized Answer pull(String authorization, String action, Map<String, String> params, String remote) {
        if (tokens.isEmpty()) {
            return refuse(403, "disabled", action, params, null, remote, "switches are off: the dashboard was started without operator tokens");
        }
        String operator = tokens.operatorOf(authorization);
        if (operator == null) {
            return refuse(401, "unauthorized", action, params, null, remote, "missing or wrong operator token");
        }
        SwitchRequest req;
        try {
            req = SwitchRequest.parse(action, params, channels);
        } catch (IllegalArgumentException e) {
            return refuse(400, "rejected", action, params, operator, remote, e.getMessage());
        }
        if (req.action().toEdges && edges.isEmpty()) {
            return refuse(409, "rejected", action, params, operator, remote, "no edge admin port configured (--edge-admin)");
        }
        String commandId = "dash-" + Long.toString(System.currentTimeMillis(), 36) + "-" + HexFormat.of().formatHex(randomBytes(4));
        ObjectNode entry = entry(commandId, operator, remote, req.action().path, req.args());
        ArrayNode targets = entry.putArray("targets");
        int ok = 0;
        int total = 0;
        if (req.action().toEdges) {
            List<CompletableFuture<Outcome>> calls = new ArrayList<>();
            for (EdgeAdmin e : edges) {
                // One short-lived thread per edge (switches are rare; the calls block on the network).
                calls.add(CompletableFuture.supplyAsync(() -> e.post(req.edgePath()), r -> {
                    Thread t = new Thread(r, "switch-to-" + e.name());
                    t.setDaemon(true);
                    t.start();
                }));
            }
            for (int i = 0; i < edges.size(); i++) {
                Outcome o = calls.get(i).join();
                target(targets, "edge " + edges.get(i).name(), o);
                ok += o.ok() ? 1 : 0;
                total++;
            }
        }
        Outcome c = control.publish(command(commandId, operator, req));
        target(targets, "control " + control.name(), c);
        ok += c.ok() ? 1 : 0;
        total++;
        String outcome = ok == total ? "applied" : ok == 0 ? "failed" : "partial";
        entry.put("outcome", outcome);
        LOG.warn("SWITCH {} by {} ({}): {} {} -> {}", commandId, operator, remote, req.action().path, req.args(), outcome);
        int status = ok == total ? 200 : 502;
        try {
            audit.append(entry);
        } catch (IOException e) {
            LOG.error("audit log {} not written for {}: {}", audit.file(), commandId, e.toString());
            entry.put("auditError", "switch " + outcome + " but not written to the audit log: " + e.getMessage());
            status = 500;
        }
        return new Answer(status, entry);
    }

    private Answer refuse(int status, String outcome, String action, Map<String, String> params, String operator, String remote, String message) {
        ObjectNode entry = entry(null, operator, remote, action, params);
        entry.put("outcome", outcome);
        entry.put("error", message);
        LOG.warn("switch '{}' refused ({}) for {} from {}: {}", action, status, operator == null ? "-" : operator, remote, message);
        try {
            audit.append(entry);
        } catch (IOException e) {
            LOG.error("audit log {} not written: {}", audit.file(), e.toString());
        }
        return new Answer(status, entry);
    }

    private static ObjectNode entry(String commandId, String operator, String remote, String action, Map<String, String> args) {
        ObjectNode e = F.objectNode();
        e.put("time", Instant.now().toString());
        if (commandId != null) {
            e.put("commandId", commandId);
        }
        e.put("operator", operator == null ? "-" : operator);
        e.put("remote", remote);
        e.put("action", action == null ? "" : truncate(action, 64));
        ObjectNode a = e.putObject("args");
        // Values only of the switches' own parameters: whatever else a client sent (a pasted token?) is not written.
        args.forEach((k, v) -> a.put(truncate(k, 64), KNOWN_PARAMETERS.contains(k) ? truncate(v, 200) : "(not logged)"));
        return e;
    }

    private static void target(ArrayNode targets, String name, Outcome o) {
        ObjectNode t = targets.addObject();
        t.put("target", name);
        t.put("ok", o.ok());
        if (o.status() != 0) {
            t.put("status", o.status());
        }
        t.put("detail", truncate(o.detail(), 500));
    }

    static ControlCommand command(String commandId, String operator, SwitchRequest req) {
        return ControlCommand.newBuilder().setCommandId(commandId).setIssuedAtMs(System.currentTimeMillis()).setOperator(operator)
                .setAction(req.action().control).setKeyId(req.keyId()).setChannel(req.channel()).setValue(req.value()).build();
    }

    private static String truncate(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
