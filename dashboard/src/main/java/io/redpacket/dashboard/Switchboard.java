package io.redpacket.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redpacket.avro.ControlCommand;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls an operator switch: authenticates the operator (bearer token), validates the request (a bad one changes
 * nothing), publishes it as one {@link ControlCommand} with the operator's name on the control topic, which every
 * edge and settlement consume in order (an edge that was down applies what it missed before it dispenses again), and
 * writes the audit entry with the command's offset before answering. Which edges applied it is shown from their
 * acknowledgements (each edge's {@code control_offset} live metric: every command below it is applied). One switch
 * at a time. No HTTP types: the server maps requests onto {@link #pull}.
 */
public final class Switchboard {
    private static final Logger LOG = LoggerFactory.getLogger(Switchboard.class);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> KNOWN_PARAMETERS = Set.of("perSecond", "keyId", "ms", "channel", "userId");

    /** What one target did with a switch. */
    public record Outcome(boolean ok, int status, String detail) {}

    /** The control topic. */
    public interface ControlSink {
        String name();

        /** Publishes and waits for the broker's acknowledgement; never throws. {@code offset} is -1 when not published. */
        Published publish(ControlCommand command);
    }

    /** The broker's answer: where the command is in the topic. */
    public record Published(boolean ok, long offset, String detail) {}

    public record Answer(int status, ObjectNode json) {}

    private final OperatorTokens tokens;
    private final ControlSink control;
    private final AuditLog audit;
    private final Set<String> channels;

    public Switchboard(OperatorTokens tokens, ControlSink control, AuditLog audit, Set<String> channels) {
        this.tokens = tokens;
        this.control = control;
        this.audit = audit;
        this.channels = Set.copyOf(channels);
    }

    public boolean enabled() {
        return !tokens.isEmpty();
    }

    public String controlTopic() {
        return control.name();
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
            return refuse(
                    403,
                    "disabled",
                    action,
                    params,
                    null,
                    remote,
                    "switches are off: the dashboard was started without operator tokens");
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
        String commandId = "dash-" + Long.toString(System.currentTimeMillis(), 36) + "-"
                + HexFormat.of().formatHex(randomBytes(4));
        ObjectNode entry = entry(commandId, operator, remote, req.action().path, req.args());
        ArrayNode targets = entry.putArray("targets");
        Published c = control.publish(command(commandId, operator, req));
        target(targets, "control " + control.name(), new Outcome(c.ok(), 0, c.detail()));
        if (c.ok()) {
            // Edges acknowledge by passing this offset (their control_offset live metric); the page shows which did.
            entry.put("offset", c.offset());
        }
        String outcome = c.ok() ? "published" : "failed";
        entry.put("outcome", outcome);
        LOG.warn(
                "SWITCH {} by {} ({}): {} {} -> {}{}",
                commandId,
                operator,
                remote,
                req.action().path,
                req.args(),
                outcome,
                c.ok() ? " at offset " + c.offset() : "");
        int status = c.ok() ? 200 : 502;
        try {
            audit.append(entry);
        } catch (IOException e) {
            LOG.error("audit log {} not written for {}: {}", audit.file(), commandId, e.toString());
            entry.put("auditError", "switch " + outcome + " but not written to the audit log: " + e.getMessage());
            status = 500;
        }
        return new Answer(status, entry);
    }

    private Answer refuse(
            int status,
            String outcome,
            String action,
            Map<String, String> params,
            String operator,
            String remote,
            String message) {
        ObjectNode entry = entry(null, operator, remote, action, params);
        entry.put("outcome", outcome);
        entry.put("error", message);
        LOG.warn(
                "switch '{}' refused ({}) for {} from {}: {}",
                action,
                status,
                operator == null ? "-" : operator,
                remote,
                message);
        try {
            audit.append(entry);
        } catch (IOException e) {
            LOG.error("audit log {} not written: {}", audit.file(), e.toString());
        }
        return new Answer(status, entry);
    }

    static ObjectNode entry(String commandId, String operator, String remote, String action, Map<String, String> args) {
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
        args.forEach(
                (k, v) -> a.put(truncate(k, 64), KNOWN_PARAMETERS.contains(k) ? truncate(v, 200) : "(not logged)"));
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
        return ControlCommand.newBuilder()
                .setCommandId(commandId)
                .setIssuedAtMs(System.currentTimeMillis())
                .setOperator(operator)
                .setAction(req.action().control)
                .setKeyId(req.keyId())
                .setChannel(req.channel())
                .setValue(req.value())
                .setUserId(req.userId())
                .build();
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
