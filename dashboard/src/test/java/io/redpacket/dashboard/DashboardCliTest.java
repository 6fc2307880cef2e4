package io.redpacket.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.FundingPlan;
import io.redpacket.cli.CommandLines;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Exit codes: --help 0; bad input 2 with the field named, before anything starts. */
class DashboardCliTest {
    @TempDir
    Path tmp;

    private record Run(int code, String err) {}

    private Run run(String... args) {
        CommandLine cl = CommandLines.create(new DashboardCli());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        return new Run(cl.execute(args), err.toString());
    }

    private Path variant() throws Exception {
        Path v = Files.createDirectories(tmp.resolve("v"));
        FundingPlan plan = FundingPlan.newBuilder()
                .setCampaignId("c")
                .setVariant("main")
                .setSlots(List.of())
                .setAllocations(List.of())
                .build();
        AvroFiles.writeAll(v.resolve(CampaignLayout.PLAN), List.of(plan), FundingPlan.getClassSchema());
        return v;
    }

    @Test
    void helpIsZeroAndBadInputIsTwoWithTheFieldNamed() throws Exception {
        assertThat(run("dashboard", "--help").code()).isEqualTo(CommandLines.OK);
        assertThat(run("dashboard", "--campaign", "x").code()).isEqualTo(CommandLines.BAD_INPUT); // --kafka missing

        Run noDir = run(
                "dashboard",
                "--kafka",
                "127.0.0.1:1",
                "--campaign",
                tmp.resolve("none").toString());
        assertThat(noDir.code()).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(noDir.err()).contains("campaign variant directory does not exist");

        Path v = variant();
        Path shortTokens = Files.writeString(tmp.resolve("ops"), "alice:short\n");
        Run bad = run(
                "dashboard",
                "--kafka",
                "127.0.0.1:1",
                "--campaign",
                v.toString(),
                "--operator-token-file",
                shortTokens.toString(),
                "--history-seconds",
                "1");
        assertThat(bad.code()).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(bad.err()).contains("ops:1: token of 'alice': at least 16 characters", "--history-seconds: 1");
    }
}
