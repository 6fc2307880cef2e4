package io.redpacket.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.cli.CommandLines;
import io.redpacket.io.CampaignLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's contract: exit 0 when valid or generated, 2 with located messages on bad input. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GenerationCliTest {
    @TempDir Path dir;

    @Test
    void validateAcceptsTheDemoAndPrintsWhatWouldBeGenerated() {
        Result r = run("validate", "--budget", "samples/demo-budget.csv", "--script", "samples/demo-script.yaml", "--shards", "4");
        assertThat(r.code).isEqualTo(CommandLines.OK);
        assertThat(r.out).contains("variant main: 9 batches, 80,000 envelopes, 197,000,000 fen, 8 files").contains("valid:");
    }

    @Test
    void validateReportsEveryProblemWithExitCode2() throws Exception {
        Path budget = dir.resolve("budget.csv");
        Files.writeString(budget, Files.readString(Path.of("samples/demo-budget.csv")).replace("50000000", "5O000000"));
        Result r = run("validate", "--budget", budget.toString(), "--script", "samples/demo-script.yaml");
        assertThat(r.code).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(r.err).contains(budget + ":2: funded_fen: '5O000000' is not an integer amount in fen")
                .doesNotContain("sponsor SP001 is not in the budget");
    }

    @Test
    void generateWithTheLocalRunnerWritesTheOutputAndRefusesToOverwriteIt() throws Exception {
        Path ring = Fixtures.ring(dir, 100);
        Path pw = dir.resolve("pw");
        Files.writeString(pw, new String(Fixtures.PASSWORD) + "\n");
        Path out = dir.resolve("campaign");
        String[] args = {"generate", "--budget", "samples/demo-budget.csv", "--script", "samples/demo-script.yaml", "--keys", ring.toString(),
                "--password-file", pw.toString(), "--out", out.toString(), "--shards", "3", "--runner", "local", "--variant", "late"};
        Result r = run(args);
        assertThat(r.code).as(r.err).isEqualTo(CommandLines.OK);
        assertThat(r.out).contains("planned variant late").contains("generated 65,000 envelopes");
        assertThat(out.resolve("late").resolve(CampaignLayout.MANIFESTS)).isRegularFile();
        assertThat(out.resolve("main")).doesNotExist();
        Result again = run(args);
        assertThat(again.code).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(again.err).contains("already exists; refusing to overwrite");
    }

    @Test
    void missingPasswordIsBadInput() throws Exception {
        Path ring = Fixtures.ring(dir, 10);
        Result r = run("generate", "--budget", "samples/demo-budget.csv", "--script", "samples/demo-script.yaml", "--keys", ring.toString(),
                "--password-file", dir.resolve("no-such-file").toString(), "--out", dir.resolve("o").toString());
        assertThat(r.code).isEqualTo(CommandLines.BAD_INPUT);
    }

    record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        java.io.PrintStream oldOut = System.out;
        java.io.PrintStream stdout = new java.io.PrintStream(out, true);
        System.setOut(stdout);
        try {
            CommandLine cl = CommandLines.create(new GenerationCli());
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }
}
