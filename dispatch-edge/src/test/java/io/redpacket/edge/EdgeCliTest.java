package io.redpacket.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.cli.CommandLines;
import io.redpacket.testkit.GeneratedCampaign;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The exit-code contract of {@code bin/redpacket edge}: bad input is 2 with a located message, before any work. */
class EdgeCliTest {
    @TempDir
    Path tmp;

    private static int run(ByteArrayOutputStream err, String... args) {
        CommandLine cl = CommandLines.create(new EdgeCli());
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void helpIsZeroAndBadInputIsTwoWithTheFieldNamed() throws Exception {
        assertThat(run(new ByteArrayOutputStream(), "edge", "--help")).isZero();

        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(1)
                .perAllocation(2)
                .sessionRing()
                .build(tmp.resolve("v"));
        String ring = c.sessionRingFile().toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(
                        err,
                        "edge",
                        "--campaign",
                        tmp.resolve("missing").toString(),
                        "--edge-id",
                        "1",
                        "--shards",
                        "0",
                        "--session-ring",
                        ring))
                .isEqualTo(2);
        assertThat(err.toString()).contains("missing").contains("does not exist");

        err.reset();
        assertThat(run(
                        err,
                        "edge",
                        "--campaign",
                        tmp.resolve("v").toString(),
                        "--edge-id",
                        "1",
                        "--shards",
                        "0",
                        "--session-ring",
                        tmp.resolve("nope.p12").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("nope.p12").contains("session key store does not exist");

        err.reset();
        assertThat(run(
                        err,
                        "edge",
                        "--campaign",
                        tmp.resolve("v").toString(),
                        "--edge-id",
                        "1",
                        "--shards",
                        "0-x",
                        "--role",
                        "open",
                        "--session-ring",
                        ring))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--shards: '0-x'").contains("--kafka: required for the open role");

        err.reset();
        assertThat(run(
                        err,
                        "edge",
                        "--campaign",
                        tmp.resolve("v").toString(),
                        "--edge-id",
                        "1",
                        "--shard-table",
                        "0:1,zz",
                        "--role",
                        "shake",
                        "--shed-shakes-above",
                        "10",
                        "--max-in-flight-opens",
                        "5",
                        "--session-ring",
                        ring,
                        "--trusted-proxies",
                        "10.0.0.0/99",
                        "--max-connections",
                        "100000000"))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("'zz'")
                .contains("shakes must be shed before opens")
                .contains("--trusted-proxies: '10.0.0.0/99'")
                .contains("--max-connections: 100000000 needs a file descriptor limit");
    }
}
