package io.redpacket.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.cli.CommandLines;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The exit-code contract of {@code bin/redpacket edge|crowd}: bad input is 2 with a located message, before any work. */
class EdgeCliTest {
    @TempDir Path tmp;

    private static int run(ByteArrayOutputStream err, String... args) {
        CommandLine cl = CommandLines.create(new EdgeCli());
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void helpIsZeroAndBadInputIsTwoWithTheFieldNamed() throws Exception {
        assertThat(run(new ByteArrayOutputStream(), "edge", "--help")).isZero();
        assertThat(run(new ByteArrayOutputStream(), "crowd", "--help")).isZero();

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "edge", "--campaign", tmp.resolve("missing").toString(), "--edge-id", "1", "--shards", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("missing").contains("does not exist");

        TestCampaign.create(tmp.resolve("v"), 1, 1, 1, 2);
        err.reset();
        assertThat(run(err, "edge", "--campaign", tmp.resolve("v").toString(), "--edge-id", "1", "--shards", "0-x", "--role", "open"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--shards: '0-x'").contains("--kafka: required for the open role");

        err.reset();
        assertThat(run(err, "edge", "--campaign", tmp.resolve("v").toString(), "--edge-id", "1", "--shard-table", "0:1,zz", "--role", "shake",
                "--shed-shakes-above", "10", "--max-in-flight-opens", "5")).isEqualTo(2);
        assertThat(err.toString()).contains("'zz'").contains("shakes must be shed before opens");

        err.reset();
        assertThat(run(err, "crowd", "--edge", "nonsense", "--out", tmp.resolve("o").toString(), "--fraud-share", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("--edge: 'nonsense'").contains("--fraud-share: 2.0");
    }
}
