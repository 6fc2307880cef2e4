package io.redpacket.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.io.AvroFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReviewDecisionsTest {
    @TempDir
    Path tmp;

    static ControlCommand decision(String user, ControlAction action) {
        return ControlCommand.newBuilder()
                .setCommandId("review:" + user + ":" + action)
                .setIssuedAtMs(1)
                .setOperator("notebooks")
                .setAction(action)
                .setUserId(user)
                .build();
    }

    Path file(ControlCommand... commands) throws Exception {
        Path f = tmp.resolve("review_decisions.avro");
        AvroFiles.writeAll(f, List.of(commands), ControlCommand.getClassSchema());
        return f;
    }

    @Test
    void decisionsAreSignedByTheOperatorWhoPublishesThem() throws Exception {
        List<ControlCommand> out = ReviewDecisions.read(
                file(decision("gran", ControlAction.RELEASE_ACCOUNT), decision("farm-7", ControlAction.CONFIRM_FRAUD)),
                "alice");
        assertThat(out)
                .extracting(
                        ControlCommand::getUserId,
                        ControlCommand::getAction,
                        ControlCommand::getOperator,
                        ControlCommand::getCommandId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "gran", ControlAction.RELEASE_ACCOUNT, "alice", "review:gran:RELEASE_ACCOUNT"),
                        org.assertj.core.groups.Tuple.tuple(
                                "farm-7", ControlAction.CONFIRM_FRAUD, "alice", "review:farm-7:CONFIRM_FRAUD"));
    }

    @Test
    void oneBadRecordRefusesTheFileNamingRecordAndField() throws Exception {
        ControlCommand noUser = ControlCommand.newBuilder(decision("x", ControlAction.CONFIRM_FRAUD))
                .setUserId(null)
                .build();
        Path f =
                file(decision("ok", ControlAction.RELEASE_ACCOUNT), decision("k", ControlAction.BLACKLIST_KEY), noUser);
        assertThatThrownBy(() -> ReviewDecisions.read(f, "alice"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining(f + ": record 2: action: BLACKLIST_KEY is not a review decision")
                .hasMessageContaining(f + ": record 3: userId: required");
    }

    @Test
    void aFileThatIsNotAvroOrAMissingOneExitsTwoAndPublishesNothing() throws Exception {
        Path junk = Files.writeString(tmp.resolve("junk.avro"), "userId,action\ngran,RELEASE\n");
        // no broker at this address: nothing may be attempted before the file is checked
        assertThat(CommandLines.execute(
                        new DashboardCli(),
                        "review",
                        "--decisions",
                        junk.toString(),
                        "--kafka",
                        "127.0.0.1:1",
                        "--operator",
                        "alice",
                        "--audit-log",
                        tmp.resolve("audit.log").toString()))
                .isEqualTo(CommandLines.BAD_INPUT);
        assertThat(CommandLines.execute(
                        new DashboardCli(),
                        "review",
                        "--decisions",
                        tmp.resolve("none.avro").toString(),
                        "--kafka",
                        "127.0.0.1:1",
                        "--operator",
                        "alice",
                        "--audit-log",
                        tmp.resolve("audit.log").toString()))
                .isEqualTo(CommandLines.BAD_INPUT);
        assertThat(CommandLines.execute(
                        new DashboardCli(),
                        "review",
                        "--decisions",
                        file(decision("a", ControlAction.HOLD_ACCOUNT)).toString(),
                        "--kafka",
                        "127.0.0.1:1",
                        "--operator",
                        "two words",
                        "--audit-log",
                        tmp.resolve("audit.log").toString()))
                .isEqualTo(CommandLines.BAD_INPUT);
        assertThat(tmp.resolve("audit.log")).doesNotExist();
    }

    @Test
    void publishingStopsAtTheFirstDecisionTheBrokerRefusesAndAuditsBoth() throws Exception {
        SwitchboardTest.Control control = new SwitchboardTest.Control();
        List<ControlCommand> commands = ReviewDecisions.read(
                file(
                        decision("a", ControlAction.RELEASE_ACCOUNT),
                        decision("b", ControlAction.CONFIRM_FRAUD),
                        decision("c", ControlAction.CONFIRM_FRAUD)),
                "alice");
        ReviewDecisions.Outcome o;
        try (AuditLog audit = new AuditLog(tmp.resolve("audit.log"))) {
            ReviewDecisions.Outcome first = ReviewDecisions.publish(commands.subList(0, 1), control, audit, "review f");
            assertThat(first.failure()).isNull();
            control.up = false;
            o = ReviewDecisions.publish(commands.subList(1, 3), control, audit, "review f");
        }
        assertThat(o.failure()).startsWith("review:b:CONFIRM_FRAUD: not published");
        assertThat(o.published()).isEmpty();
        assertThat(control.published).extracting(ControlCommand::getUserId).containsExactly("a");
        assertThat(Files.readAllLines(tmp.resolve("audit.log")))
                .hasSize(2)
                .last()
                .asString()
                .contains("\"outcome\":\"failed\"", "\"userId\":\"b\"");
    }
}
