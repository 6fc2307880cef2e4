package io.redpacket.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.RejectReason;
import io.redpacket.cli.CommandLines;
import io.redpacket.keys.KeyStorePassword;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The commands as bin/redpacket runs them: exit codes, printed summary, and every shipped sample query. */
@Timeout(180)
class ReconciliationCliTest {
    @TempDir
    static Path tmp;

    static Path warehouse;
    static Path passwordFile;
    static GeneratedCampaign campaign;
    static Path settlement;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = CommandLines.execute(new ReconciliationCli(), args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @BeforeAll
    static void reconcileOnce() throws Exception {
        TestSpark.session();
        campaign = GeneratedCampaign.generate(tmp.resolve("campaign"), 7, 15);
        GeneratedCampaign.Logs logs = new GeneratedCampaign.Logs();
        logs.openAndCredit(campaign, campaign.envelopes.get(0), "u0");
        logs.openAndCredit(campaign, campaign.envelopes.get(1), "u1");
        logs.reject(logs.open(campaign.envelopes.get(2), "u2"), RejectReason.SPONSOR_CAP);
        // issue 14: redelivered opens (same event id), under today's contract and in logs written before it
        for (int i = 3; i < 13; i++) {
            String ev = logs.openAndCredit(campaign, campaign.envelopes.get(i), "u" + i);
            logs.redeliver(ev);
            if (i % 2 == 0) {
                logs.reject(ev, RejectReason.DUPLICATE_ENVELOPE);
            }
        }
        settlement = logs.write(TestSpark.session(), tmp.resolve("settle"));
        passwordFile = tmp.resolve("pw");
        Files.writeString(passwordFile, GeneratedCampaign.PASSWORD);
        warehouse = tmp.resolve("wh");
        // As bin/redpacket runs it (a JVM of its own, its logging), the password in the environment only.
        LauncherRun.Result r = LauncherRun.run(
                tmp.resolve("launcher"),
                Map.of(KeyStorePassword.ENV, GeneratedCampaign.PASSWORD),
                null,
                "reconcile",
                "--generation",
                campaign.variantDir.toString(),
                "--settlement",
                settlement.toString(),
                "--warehouse",
                warehouse.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("RECONCILED: 0 of 12 checks failed")
                .contains("money_equation")
                .containsPattern("credit_discrepancies:CREDIT_WITHOUT_ACCEPTED_OPEN\\s+OK\\s+0\\s+0");
        // Its own progress lines and nothing else: no Spark warnings, no progress bars, no stack trace.
        assertThat(r.err()).contains("decrypting 4 envelope files");
        assertThat(r.err().lines().filter(l -> !l.isBlank()))
                .allSatisfy(l -> assertThat(l).startsWith("reconcile"));
    }

    @Test
    void sqlWithExecutePrintsTheResultTablesAndNothingElse() throws Exception {
        long credited = 0;
        for (int i : new int[] {0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}) {
            credited += campaign.envelopes.get(i).amountFen();
        }
        LauncherRun.Result r = LauncherRun.run(
                tmp.resolve("launcher"),
                Map.of(),
                null,
                "sql",
                "--warehouse",
                warehouse.toString(),
                "-e",
                "SELECT scope, credited_fen, pending_fen, refund_fen, budget_fen, holds FROM money_equation WHERE scope = 'TOTAL';"
                        + " SELECT outcome, sum(open_events) AS events, sum(deliveries) AS deliveries FROM opens_by_outcome GROUP BY outcome ORDER BY outcome");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out())
                .containsPattern("TOTAL\\s+\\|\\s+" + credited + "\\s+\\|\\s+0\\s+\\|\\s+"
                        + (campaign.budgetFen() - credited) + "\\s+\\|\\s+" + campaign.budgetFen() + "\\s+\\|\\s+true");
        // twelve credited open events, ten of them delivered twice; one rejected: each event once
        assertThat(r.out())
                .containsPattern("CREDITED\\s+\\|\\s+12\\s+\\|\\s+22")
                .containsPattern("REJECTED\\s+\\|\\s+1\\s+\\|\\s+1");
        assertThat(r.out().lines().filter(l -> !l.isBlank()))
                .allSatisfy(
                        l -> assertThat(l).matches("^(scope|outcome|TOTAL|CREDITED|REJECTED|---|\\(\\d+ rows?\\)).*"));
    }

    @Test
    void everyShippedSampleQueryRuns() throws Exception {
        List<Path> queries;
        try (Stream<Path> files = Files.list(Path.of("queries"))) {
            queries = files.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
        }
        assertThat(queries).hasSizeGreaterThanOrEqualTo(3);
        for (Path q : queries) {
            Run r = run("sql", "--warehouse", warehouse.toString(), "-f", q.toString());
            assertThat(r.exit()).as(q + ": " + r.err()).isZero();
            assertThat(r.out()).as(q.toString()).contains("rows)");
        }
        Run refunds = run("sql", "--warehouse", warehouse.toString(), "-f", "queries/refunds_per_sponsor.sql");
        assertThat(refunds.out()).contains("sp-a").contains("sp-b").contains("(2 rows)");
        Run slots = run("sql", "--warehouse", warehouse.toString(), "-f", "queries/credited_per_slot_vs_plan.sql");
        assertThat(slots.out()).contains("s1").contains("s2");
    }

    @Test
    void sqlAnswersAQueryOverTheTables() {
        Run r = run(
                "sql",
                "--warehouse",
                warehouse.toString(),
                "-e",
                "SELECT scope, difference_fen, holds FROM money_equation WHERE scope = 'TOTAL'");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("TOTAL\\s+\\|\\s+0\\s+\\|\\s+true");
    }

    @Test
    void badInputExitsTwoNamingTheInput() {
        Run missing = run(
                "reconcile",
                "--generation",
                tmp.resolve("none").toString(),
                "--settlement",
                settlement.toString(),
                "--warehouse",
                tmp.resolve("wh2").toString(),
                "--password-file",
                passwordFile.toString());
        assertThat(missing.exit()).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(missing.err()).contains(tmp.resolve("none").toString());
        assertThat(tmp.resolve("wh2")).doesNotExist();

        Path wrong = tmp.resolve("wrong-pw");
        Run badPassword;
        try {
            Files.writeString(wrong, "not-the-password");
            badPassword = run(
                    "reconcile",
                    "--generation",
                    campaign.variantDir.toString(),
                    "--settlement",
                    settlement.toString(),
                    "--warehouse",
                    tmp.resolve("wh2").toString(),
                    "--password-file",
                    wrong.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(badPassword.exit()).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(badPassword.err()).contains("open-ring.p12");

        // a location is a URI: a scheme with no file system here, or one that names no host, is refused, naming the
        // option
        Run unknownScheme = run(
                "reconcile",
                "--generation",
                campaign.variantDir.toString(),
                "--settlement",
                settlement.toString(),
                "--warehouse",
                "nosuch://bucket/recon",
                "--password-file",
                passwordFile.toString());
        assertThat(unknownScheme.exit()).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(unknownScheme.err())
                .contains("--warehouse: nosuch://bucket/recon: no file system for scheme 'nosuch'");
        Run noHost = run("sql", "--warehouse", "hdfs:/recon/A", "-e", "SELECT 1");
        assertThat(noHost.exit()).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(noHost.err()).contains("--warehouse").contains("names no host");
        assertThat(tmp.resolve("hdfs:")).doesNotExist();

        Run badQuery = run("sql", "--warehouse", warehouse.toString(), "-e", "SELECT nope FROM refunds");
        assertThat(badQuery.exit()).isEqualTo(CommandLines.BAD_INPUT);
        assertThat(badQuery.err()).contains("nope");
        assertThat(run("sql", "--warehouse", tmp.resolve("no-wh").toString(), "-e", "SELECT 1")
                        .exit())
                .isEqualTo(CommandLines.BAD_INPUT);
    }
}
