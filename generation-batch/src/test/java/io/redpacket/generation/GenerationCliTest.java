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
    @TempDir
    Path dir;

    @Test
    void validateAcceptsTheDemoAndPrintsWhatWouldBeGenerated() {
        Result r = run(
                "validate",
                "--budget",
                "samples/demo-budget.csv",
                "--script",
                "samples/demo-script.yaml",
                "--shards",
                "4");
        assertThat(r.code).isEqualTo(CommandLines.OK);
        assertThat(r.out)
                .contains("variant main: 9 batches, 80,000 envelopes, 197,000,000 fen, 8 files")
                .contains("valid:");
    }

    @Test
    void validateReportsEveryProblemWithExitCode2() throws Exception {
        Path budget = dir.resolve("budget.csv");
        Files.writeString(
                budget, Files.readString(Path.of("samples/demo-budget.csv")).replace("50000000", "5O000000"));
        Result r = run("validate", "--budget", budget.toString(), "--script", "samples/demo-script.yaml");
        assertThat(r.code).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(r.err)
                .contains(budget + ":2: funded_fen: '5O000000' is not an integer amount in fen")
                .doesNotContain("sponsor SP001 is not in the budget");
    }

    @Test
    void generateWithTheLocalRunnerWritesTheOutputAndRefusesToOverwriteIt() throws Exception {
        Path ring = Fixtures.ring(dir, 100);
        Path pw = dir.resolve("pw");
        Files.writeString(pw, new String(Fixtures.PASSWORD) + "\n");
        Path out = dir.resolve("campaign");
        String[] args = {
            "generate",
            "--budget",
            "samples/demo-budget.csv",
            "--script",
            "samples/demo-script.yaml",
            "--keys",
            ring.toString(),
            "--password-file",
            pw.toString(),
            "--out",
            out.toString(),
            "--shards",
            "3",
            "--runner",
            "local",
            "--variant",
            "late"
        };
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
        Result r = run(
                "generate",
                "--budget",
                "samples/demo-budget.csv",
                "--script",
                "samples/demo-script.yaml",
                "--keys",
                ring.toString(),
                "--password-file",
                dir.resolve("no-such-file").toString(),
                "--out",
                dir.resolve("o").toString());
        assertThat(r.code).isEqualTo(CommandLines.BAD_INPUT);
    }

    @Test
    void anUnknownSchemeIsBadInputNamingTheOptionAndNothingIsWritten() throws Exception {
        Path ring = Fixtures.ring(dir, 10);
        Path pw = password();
        Result r = run(
                "generate",
                "--budget",
                "samples/demo-budget.csv",
                "--script",
                "samples/demo-script.yaml",
                "--keys",
                ring.toString(),
                "--password-file",
                pw.toString(),
                "--out",
                "hfds://namenode:8020/campaigns/x");
        assertThat(r.code).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(r.err.strip())
                .isEqualTo("--out: hfds://namenode:8020/campaigns/x: no file system for scheme 'hfds' here"
                        + " (hdfs://, s3a:// with hadoop-aws on the class path, file://, or a local path)");
        assertThat(Path.of("hfds:")).doesNotExist();
        assertThat(run("validate", "--budget", "nope://b/budget.csv", "--script", "samples/demo-script.yaml").err)
                .startsWith("--budget: nope://b/budget.csv: no file system for scheme 'nope'");
        assertThat(run("validate", "--budget", "hdfs:/no-namenode/budget.csv", "--script", "samples/demo-script.yaml")
                        .code)
                .isEqualTo(CommandLines.BAD_INPUT);
    }

    @Test
    void inputsAreReadFromFileUrisToo() {
        Result r = run(
                "validate",
                "--budget",
                Path.of("samples/demo-budget.csv").toUri().toString(),
                "--script",
                "file://" + Path.of("samples/demo-script.yaml").toAbsolutePath(),
                "--shards",
                "4");
        assertThat(r.code).as(r.err).isEqualTo(CommandLines.OK);
    }

    @Test
    void aDirectoryGivenAsTheBudgetIsNamedAsADirectory() {
        Result r = run("validate", "--budget", dir.toString(), "--script", "samples/demo-script.yaml");
        assertThat(r.code).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(r.err.strip()).isEqualTo(dir + ": is a directory; expected the budget file");
    }

    @Test
    void aWrongPasswordIsOneClearLine() throws Exception {
        Path ring = Fixtures.ring(dir, 10);
        Path wrong = dir.resolve("wrong");
        Files.writeString(wrong, "not-the-password\n");
        Result r = run(
                "validate",
                "--budget",
                "samples/demo-budget.csv",
                "--script",
                "samples/demo-script.yaml",
                "--shards",
                "2",
                "--keys",
                ring.toString(),
                "--password-file",
                wrong.toString());
        assertThat(r.code).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(r.err.strip())
                .isEqualTo("cannot open key store " + ring
                        + ": wrong password (or the file was altered: its integrity check failed)");
    }

    @Test
    void aCampaignTooBigForTheKeyIdsSaysHowManyKeysItReallyNeeds() throws Exception {
        // 9e17 fen: at 250,000 yuan per key about 90 billion keys, not the clamped "1..2147483646" it used to print.
        Path budget = dir.resolve("b.csv");
        Files.writeString(
                budget,
                "sponsor_id,sponsor_name,payment_order,envelope_account,funded_fen\nSP1,Big,PO1,A1,900000000000000000\n");
        Path script = dir.resolve("s.yaml");
        Files.writeString(script, """
                campaign: huge
                slots:
                  - {id: s1, start: 1801828800000, end: 1801830600000}
                variants:
                  - name: main
                    allocations:
                      - {slot: s1, sponsor: SP1, type: picture, total_fen: 900000000000000000, count: 60000000000, min_fen: 15000000, max_fen: 15000000}
                """);
        Result r = run("validate", "--budget", budget.toString(), "--script", script.toString());
        assertThat(r.code).isEqualTo(CommandLines.BAD_INPUT);
        // 16 shards x ceil((9e17 / 16) / (25,000,000 - 15,000,000 + 1)) keys: every key filled past cap - largest
        // envelope
        assertThat(16 * ((900_000_000_000_000_000L / 16 - 1) / 10_000_001 + 1)).isEqualTo(89_999_991_008L);
        assertThat(r.err.strip())
                .isEqualTo(
                        script
                                + ":5: variants[main]: needs key ids 1..89999991008 (89,999,991,008 keys at a cap of 25,000,000 fen"
                                + " per key) but key ids end at 65535 (a higher --key-cap-fen or fewer shards need fewer keys)");
    }

    @Test
    void aFailedRunPrintsOneLineNamingWhatFailed() throws Exception {
        Path ring = Fixtures.ring(dir, 100);
        Path notADirectory = dir.resolve("plain-file");
        Files.writeString(notADirectory, "x");
        Result r = run(
                "generate",
                "--budget",
                "samples/demo-budget.csv",
                "--script",
                "samples/demo-script.yaml",
                "--keys",
                ring.toString(),
                "--password-file",
                password().toString(),
                "--out",
                notADirectory.resolve("campaign").toString(),
                "--shards",
                "2");
        assertThat(r.code).isEqualTo(CommandLines.FAILURE);
        assertThat(r.err.lines())
                .singleElement()
                .asString()
                .startsWith("generate failed: cannot write " + notADirectory + "/.campaign.tmp-");
        assertThat(notADirectory).hasContent("x");
    }

    @Test
    void aSmallCampaignIsGeneratedWithoutStartingSpark() throws Exception {
        Path ring = Fixtures.ring(dir, 100);
        Result r = run(
                "generate",
                "--budget",
                "samples/demo-budget.csv",
                "--script",
                "samples/demo-script.yaml",
                "--keys",
                ring.toString(),
                "--password-file",
                password().toString(),
                "--out",
                dir.resolve("c").toString(),
                "--shards",
                "2",
                "--variant",
                "late");
        assertThat(r.code).as(r.err).isEqualTo(CommandLines.OK);
        assertThat(r.out)
                .contains("runner: this JVM (small campaign; --runner spark to use Spark)")
                .doesNotContain("runner: Spark");
        assertThat(r.err).isEmpty();
        assertThat(io.redpacket.io.GeneratedVariant.open(
                                io.redpacket.io.LocalFileStore.INSTANCE, Fixtures.uri(dir.resolve("c/late")))
                        .checkPublished())
                .isEmpty();
    }

    private Path password() throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, new String(Fixtures.PASSWORD) + "\n");
        return pw;
    }

    record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        java.io.PrintStream oldOut = System.out;
        java.io.PrintStream stdout = new java.io.PrintStream(out, true);
        System.setOut(stdout);
        try {
            CommandLine cl = CommandLines.createLogged(new GenerationCli());
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }
}
