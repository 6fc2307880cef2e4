package io.redpacket.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.cli.CommandLines;
import io.redpacket.testkit.GeneratedCampaign;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input is refused in the client with a located message and exit code 2, before any job exists. */
class SettlementCliTest {
    @TempDir
    Path tmp;

    private record Run(int exitCode, String err) {}

    private static Run settle(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            String[] argv = new String[args.length + 1];
            argv[0] = "settle";
            System.arraycopy(args, 0, argv, 1, args.length);
            return new Run(CommandLines.execute(new SettlementCli(), argv), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void aSchemeWithoutAFileSystemAnUncommittedVariantAndAWrongPasswordAreBadInput() throws Exception {
        GeneratedCampaign c = Fixtures.campaign(tmp.resolve("v1"));
        Path password = Fixtures.passwordFile(tmp);

        Run scheme = settle(
                "--campaign",
                "nosuchfs://host/campaign",
                "--kafka",
                "127.0.0.1:1",
                "--out",
                tmp.resolve("out").toString());
        assertThat(scheme.exitCode()).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(scheme.err())
                .contains("--campaign: nosuchfs://host/campaign")
                .contains("no Flink file system for scheme 'nosuchfs'");

        Path wrong = tmp.resolve("wrong-password");
        Files.writeString(wrong, "not-it\n");
        Run badPassword = settle(
                "--campaign",
                c.dir.toString(),
                "--kafka",
                "127.0.0.1:1",
                "--out",
                tmp.resolve("out").toString(),
                "--password-file",
                wrong.toString());
        assertThat(badPassword.exitCode()).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(badPassword.err()).contains("open-ring.p12").contains("wrong password");

        Files.delete(c.dir.resolve("_COMMITTED"));
        Run uncommitted = settle(
                "--campaign",
                c.dir.toString(),
                "--kafka",
                "127.0.0.1:1",
                "--out",
                tmp.resolve("out").toString(),
                "--password-file",
                password.toString());
        assertThat(uncommitted.exitCode()).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(uncommitted.err()).contains(c.dir.toString()).contains("_COMMITTED is missing");
        assertThat(Files.exists(tmp.resolve("out"))).as("nothing written").isFalse();
    }

    @Test
    void liveFlagSettingsThatWouldFlagEveryPhoneOrNothingAreBadInput() {
        Run r = settle(
                "--campaign",
                tmp.resolve("v").toString(),
                "--kafka",
                "127.0.0.1:1",
                "--out",
                tmp.resolve("out").toString(),
                "--flag-device-accounts",
                "1",
                "--flag-window",
                "PT0S");
        assertThat(r.exitCode()).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(r.err())
                .contains("--flag-device-accounts: 1: must be 2..64")
                .contains("--flag-window: PT0S: must be positive");
        assertThat(Files.exists(tmp.resolve("out"))).as("nothing written").isFalse();
    }
}
