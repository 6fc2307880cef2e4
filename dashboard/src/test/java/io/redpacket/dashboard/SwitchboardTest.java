package io.redpacket.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication, validation, forwarding and the audit log of a switch. The edges and the control topic are
 * recording stand-ins here (the transports); the browser test drives real edges and a real broker.
 */
class SwitchboardTest {
    static final String ALICE = "alice-token-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    static final class Edge implements Switchboard.EdgeAdmin {
        final String name;
        final boolean up;
        final List<String> calls = new CopyOnWriteArrayList<>();

        Edge(String name, boolean up) {
            this.name = name;
            this.up = up;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Switchboard.Outcome post(String pathAndQuery) {
            calls.add(pathAndQuery);
            return up ? new Switchboard.Outcome(true, 200, "{\"result\":\"ok\"}") : new Switchboard.Outcome(false, 0, "unreachable: connection refused");
        }
    }

    static final class Control implements Switchboard.ControlSink {
        final List<ControlCommand> published = new ArrayList<>();

        @Override
        public String name() {
            return "redpacket.control";
        }

        @Override
        public Switchboard.Outcome publish(ControlCommand command) {
            published.add(command);
            return new Switchboard.Outcome(true, 0, "offset " + (published.size() - 1));
        }
    }

    final Edge e1 = new Edge("127.0.0.1:1", true);
    final Edge e2 = new Edge("127.0.0.1:2", true);
    final Control control = new Control();

    private Switchboard board(AuditLog audit, Switchboard.EdgeAdmin... edges) {
        return new Switchboard(OperatorTokens.parse("alice:" + ALICE, "test"), List.of(edges), control, audit, Set.of("cash", "coupon-travel"));
    }

    private List<JsonNode> auditLines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void aSwitchGoesToEveryEdgeAndTheControlTopicAndIsAudited() throws Exception {
        Path file = tmp.resolve("audit/audit.log");
        try (AuditLog audit = new AuditLog(file)) {
            Switchboard.Answer a = board(audit, e1, e2).pull("Bearer " + ALICE, "blacklist", Map.of("keyId", "5"), "127.0.0.9");
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.json().get("outcome").asText()).isEqualTo("applied");
        }
        assertThat(e1.calls).containsExactly("blacklist?keyId=5");
        assertThat(e2.calls).containsExactly("blacklist?keyId=5");
        assertThat(control.published).hasSize(1);
        ControlCommand c = control.published.get(0);
        assertThat(c.getAction()).isEqualTo(ControlAction.BLACKLIST_KEY);
        assertThat(c.getKeyId()).isEqualTo(5);
        assertThat(c.getOperator()).isEqualTo("alice");

        JsonNode entry = auditLines(file).get(0);
        assertThat(entry.get("operator").asText()).isEqualTo("alice");
        assertThat(entry.get("remote").asText()).isEqualTo("127.0.0.9");
        assertThat(entry.get("action").asText()).isEqualTo("blacklist");
        assertThat(entry.get("args").get("keyId").asText()).isEqualTo("5");
        assertThat(entry.get("commandId").asText()).isEqualTo(c.getCommandId());
        assertThat(entry.get("time").asText()).endsWith("Z");
        assertThat(entry.get("targets")).hasSize(3);
        assertThat(entry.get("targets").get(0).get("target").asText()).isEqualTo("edge 127.0.0.1:1");
        assertThat(entry.get("targets").get(2).get("target").asText()).isEqualTo("control redpacket.control");
        assertThat(Files.readString(file)).doesNotContain(ALICE);
    }

    @Test
    void channelLimitsGoOnlyToTheControlTopic() throws Exception {
        try (AuditLog audit = new AuditLog(tmp.resolve("audit.log"))) {
            Switchboard.Answer a = board(audit, e1).pull("Bearer " + ALICE, "channel-limit", Map.of("channel", "coupon-travel", "perSecond", "50"), "::1");
            assertThat(a.status()).isEqualTo(200);
        }
        assertThat(e1.calls).isEmpty();
        assertThat(control.published.get(0).getAction()).isEqualTo(ControlAction.SET_CHANNEL_LIMIT);
        assertThat(control.published.get(0).getChannel()).isEqualTo("coupon-travel");
        assertThat(control.published.get(0).getValue()).isEqualTo(50L);
    }

    @Test
    void aWrongTokenOrABadRequestChangesNothingAndIsAudited() throws Exception {
        Path file = tmp.resolve("audit.log");
        try (AuditLog audit = new AuditLog(file)) {
            Switchboard sb = board(audit, e1);
            Switchboard.Answer wrong = sb.pull("Bearer not-alice-token-000000", "pause", Map.of(), "10.1.1.1");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(sb.pull(null, "pause", Map.of(), "10.1.1.1").status()).isEqualTo(401);
            Switchboard.Answer bad = sb.pull("Bearer " + ALICE, "rate", Map.of("perSecond", "lots"), "10.1.1.1");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("error").asText()).startsWith("perSecond: 'lots' is not an integer");
            assertThat(sb.pull("Bearer " + ALICE, "nuke", Map.of(), "10.1.1.1").status()).isEqualTo(400);
            assertThat(sb.pull("Bearer " + ALICE, "pause", Map.of("token", ALICE), "10.1.1.1").status()).isEqualTo(400);
            assertThat(sb.whoAmI("Bearer nope-nope-nope-nope", "10.1.1.1").status()).isEqualTo(401);
            assertThat(sb.whoAmI("Bearer " + ALICE, "10.1.1.1").json().get("operator").asText()).isEqualTo("alice");
        }
        assertThat(e1.calls).isEmpty();
        assertThat(control.published).isEmpty();
        List<JsonNode> lines = auditLines(file);
        assertThat(lines).extracting(l -> l.get("outcome").asText())
                .containsExactly("unauthorized", "unauthorized", "rejected", "rejected", "rejected", "unauthorized");
        assertThat(lines.get(4).get("args").get("token").asText()).isEqualTo("(not logged)");
        assertThat(Files.readString(file)).doesNotContain(ALICE);
        assertThat(lines.get(0).get("operator").asText()).isEqualTo("-");
        assertThat(lines.get(2).get("operator").asText()).isEqualTo("alice");
        assertThat(lines.get(2).get("error").asText()).startsWith("perSecond:");
    }

    @Test
    void anUnreachableEdgeMakesItPartialAndTheAuditLogIsOnlyAppended() throws Exception {
        Path file = tmp.resolve("audit.log");
        Files.writeString(file, "{\"earlier\":true}\n");
        Edge down = new Edge("127.0.0.1:3", false);
        try (AuditLog audit = new AuditLog(file)) {
            Switchboard.Answer a = board(audit, e1, down).pull("Bearer " + ALICE, "pause", Map.of(), "127.0.0.1");
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.json().get("outcome").asText()).isEqualTo("partial");
            assertThat(audit.recent()).hasSize(1);
        }
        List<JsonNode> lines = auditLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("earlier").asBoolean()).isTrue();
        JsonNode targets = lines.get(1).get("targets");
        assertThat(targets.get(0).get("ok").asBoolean()).isTrue();
        assertThat(targets.get(1).get("ok").asBoolean()).isFalse();
        assertThat(targets.get(1).get("detail").asText()).contains("unreachable");
    }

    @Test
    void withoutOperatorTokensSwitchesAreOff() throws Exception {
        try (AuditLog audit = new AuditLog(tmp.resolve("audit.log"))) {
            Switchboard sb = new Switchboard(OperatorTokens.none(), List.of(e1), control, audit, Set.of("cash"));
            assertThat(sb.enabled()).isFalse();
            assertThat(sb.pull("Bearer " + ALICE, "pause", Map.of(), "127.0.0.1").status()).isEqualTo(403);
            Switchboard noEdges = new Switchboard(OperatorTokens.parse("alice:" + ALICE, "t"), List.of(), control, audit, Set.of("cash"));
            assertThat(noEdges.pull("Bearer " + ALICE, "pause", Map.of(), "127.0.0.1").status()).isEqualTo(409);
        }
        assertThat(e1.calls).isEmpty();
        assertThat(control.published).isEmpty();
    }
}
