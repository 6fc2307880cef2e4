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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication, validation, publishing and the audit log of a switch. The control topic is a recording stand-in
 * here (the transport); the browser test drives real edges and a real broker.
 */
class SwitchboardTest {
    static final String ALICE = "alice-token-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static final class Control implements Switchboard.ControlSink {
        final List<ControlCommand> published = new ArrayList<>();
        boolean up = true;

        @Override
        public String name() {
            return "redpacket.control";
        }

        @Override
        public Switchboard.Published publish(ControlCommand command) {
            if (!up) {
                return new Switchboard.Published(false, -1, "not published: broker unreachable");
            }
            published.add(command);
            return new Switchboard.Published(true, 41 + published.size(), "offset " + (41 + published.size()));
        }
    }

    final Control control = new Control();

    private Switchboard board(AuditLog audit) {
        return new Switchboard(
                OperatorTokens.parse("alice:" + ALICE, "test"), control, audit, Set.of("cash", "coupon-travel"));
    }

    private List<JsonNode> auditLines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void aSwitchIsOneCommandOnTheControlTopicAuditedWithItsOffset() throws Exception {
        Path file = tmp.resolve("audit/audit.log");
        try (AuditLog audit = new AuditLog(file)) {
            Switchboard.Answer a = board(audit).pull("Bearer " + ALICE, "blacklist", Map.of("keyId", "5"), "127.0.0.9");
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.json().get("outcome").asText()).isEqualTo("published");
            assertThat(a.json().get("offset").asLong()).isEqualTo(42);
        }
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
        assertThat(entry.get("targets")).hasSize(1);
        assertThat(entry.get("targets").get(0).get("target").asText()).isEqualTo("control redpacket.control");
        assertThat(entry.get("offset").asLong())
                .as("what the page compares the edges' control_offset with")
                .isEqualTo(42);
        assertThat(Files.readString(file)).doesNotContain(ALICE);
    }

    @Test
    void channelLimitsGoOnlyToTheControlTopic() throws Exception {
        try (AuditLog audit = new AuditLog(tmp.resolve("audit.log"))) {
            Switchboard.Answer a = board(audit)
                    .pull(
                            "Bearer " + ALICE,
                            "channel-limit",
                            Map.of("channel", "coupon-travel", "perSecond", "50"),
                            "::1");
            assertThat(a.status()).isEqualTo(200);
        }
        assertThat(control.published.get(0).getAction()).isEqualTo(ControlAction.SET_CHANNEL_LIMIT);
        assertThat(control.published.get(0).getChannel()).isEqualTo("coupon-travel");
        assertThat(control.published.get(0).getValue()).isEqualTo(50L);
    }

    @Test
    void aReviewDecisionNamesItsAccountOnTheControlTopicAndInTheAuditLog() throws Exception {
        Path file = tmp.resolve("audit.log");
        try (AuditLog audit = new AuditLog(file)) {
            assertThat(board(audit)
                            .pull("Bearer " + ALICE, "confirm-fraud", Map.of("userId", "u-77"), "::1")
                            .status())
                    .isEqualTo(200);
        }
        assertThat(control.published.get(0).getAction()).isEqualTo(ControlAction.CONFIRM_FRAUD);
        assertThat(control.published.get(0).getUserId()).isEqualTo("u-77");
        assertThat(auditLines(file).get(0).get("args").get("userId").asText()).isEqualTo("u-77");
    }

    @Test
    void aWrongTokenOrABadRequestChangesNothingAndIsAudited() throws Exception {
        Path file = tmp.resolve("audit.log");
        try (AuditLog audit = new AuditLog(file)) {
            Switchboard sb = board(audit);
            Switchboard.Answer wrong = sb.pull("Bearer not-alice-token-000000", "pause", Map.of(), "10.1.1.1");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(sb.pull(null, "pause", Map.of(), "10.1.1.1").status()).isEqualTo(401);
            Switchboard.Answer bad = sb.pull("Bearer " + ALICE, "rate", Map.of("perSecond", "lots"), "10.1.1.1");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("error").asText()).startsWith("perSecond: 'lots' is not an integer");
            assertThat(sb.pull("Bearer " + ALICE, "nuke", Map.of(), "10.1.1.1").status())
                    .isEqualTo(400);
            assertThat(sb.pull("Bearer " + ALICE, "pause", Map.of("token", ALICE), "10.1.1.1")
                            .status())
                    .isEqualTo(400);
            assertThat(sb.whoAmI("Bearer nope-nope-nope-nope", "10.1.1.1").status())
                    .isEqualTo(401);
            assertThat(sb.whoAmI("Bearer " + ALICE, "10.1.1.1")
                            .json()
                            .get("operator")
                            .asText())
                    .isEqualTo("alice");
        }
        assertThat(control.published).isEmpty();
        List<JsonNode> lines = auditLines(file);
        assertThat(lines)
                .extracting(l -> l.get("outcome").asText())
                .containsExactly("unauthorized", "unauthorized", "rejected", "rejected", "rejected", "unauthorized");
        assertThat(lines.get(4).get("args").get("token").asText()).isEqualTo("(not logged)");
        assertThat(Files.readString(file)).doesNotContain(ALICE);
        assertThat(lines.get(0).get("operator").asText()).isEqualTo("-");
        assertThat(lines.get(2).get("operator").asText()).isEqualTo("alice");
        assertThat(lines.get(2).get("error").asText()).startsWith("perSecond:");
    }

    @Test
    void anUnreachableBrokerFailsTheSwitchAndTheAuditLogIsOnlyAppended() throws Exception {
        Path file = tmp.resolve("audit.log");
        Files.writeString(file, "{\"earlier\":true}\n");
        control.up = false;
        try (AuditLog audit = new AuditLog(file)) {
            Switchboard.Answer a = board(audit).pull("Bearer " + ALICE, "pause", Map.of(), "127.0.0.1");
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.json().get("outcome").asText()).isEqualTo("failed");
            assertThat(a.json().has("offset")).isFalse();
            assertThat(audit.recent()).hasSize(1);
        }
        List<JsonNode> lines = auditLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("earlier").asBoolean()).isTrue();
        JsonNode targets = lines.get(1).get("targets");
        assertThat(targets.get(0).get("ok").asBoolean()).isFalse();
        assertThat(targets.get(0).get("detail").asText()).contains("unreachable");
    }

    @Test
    void withoutOperatorTokensSwitchesAreOff() throws Exception {
        try (AuditLog audit = new AuditLog(tmp.resolve("audit.log"))) {
            Switchboard sb = new Switchboard(OperatorTokens.none(), control, audit, Set.of("cash"));
            assertThat(sb.enabled()).isFalse();
            assertThat(sb.pull("Bearer " + ALICE, "pause", Map.of(), "127.0.0.1")
                            .status())
                    .isEqualTo(403);
        }
        assertThat(control.published).isEmpty();
    }
}
