package io.redpacket.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.cli.CommandLines;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The exit-code contract of {@code bin/redpacket crowd|identity}: bad input is 2 with a located message, before any work. */
class SimulationCliTest {
    @TempDir
    Path tmp;

    private static int run(ByteArrayOutputStream err, String... args) {
        CommandLine cl = CommandLines.create(new SimulationCli());
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void helpIsZeroAndBadInputIsTwoWithTheFieldNamed() throws Exception {
        assertThat(run(new ByteArrayOutputStream(), "crowd", "--help")).isZero();
        assertThat(run(new ByteArrayOutputStream(), "identity", "--help")).isZero();

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(
                        err,
                        "crowd",
                        "--edge",
                        "nonsense",
                        "--identity",
                        "http://127.0.0.1:1",
                        "--out",
                        tmp.resolve("o").toString(),
                        "--fraud-share",
                        "2",
                        "--start-file",
                        tmp.resolve("go").toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("--edge: 'nonsense'")
                .contains("--fraud-share: 2.0")
                .contains("--registered-file and --start-file go together");
        assertThat(tmp.resolve("o")).doesNotExist();

        err.reset();
        assertThat(run(
                        err,
                        "identity",
                        "--session-ring",
                        tmp.resolve("nope.p12").toString(),
                        "--out",
                        tmp.resolve("id").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("nope.p12").contains("session key store does not exist");

        Path ring = Files.writeString(tmp.resolve("ring.p12"), "not read: the options are checked first");
        err.reset();
        assertThat(run(
                        err,
                        "identity",
                        "--session-ring",
                        ring.toString(),
                        "--out",
                        tmp.resolve("id").toString(),
                        "--trusted-proxies",
                        "10.0.0.0/99"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--trusted-proxies: '10.0.0.0/99'");
        assertThat(tmp.resolve("id")).doesNotExist();
    }
}
