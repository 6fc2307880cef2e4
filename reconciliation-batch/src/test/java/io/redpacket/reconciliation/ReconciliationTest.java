package io.redpacket.reconciliation;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.MoneyEquation;
import io.redpacket.avro.ReconciliationSummary;
import io.redpacket.avro.RejectReason;
import io.redpacket.cli.BadInputException;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.LocalFileStore;
import io.redpacket.io.WarehouseLayout;
import io.redpacket.money.ReconciliationVerdict;
import io.redpacket.reconciliation.spark.Checks;
import io.redpacket.reconciliation.spark.KeyRingSource;
import io.redpacket.reconciliation.spark.Reconciliation;
import io.redpacket.reconciliation.spark.Reconciliation.SummaryLine;
import io.redpacket.reconciliation.spark.TaskFiles;
import io.redpacket.testkit.GeneratedCampaign.Envelope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole run on small generated campaigns: real sealed files, real Parquet logs, real warehouse. Each planted
 * fault must appear in its table and nowhere else.
 */
@Timeout(600) // a hang guard, not a speed check: each test takes 10-30 s quiet, minutes on a loaded 2-core machine
class ReconciliationTest {
    static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = TestSpark.session();
    }

    /** Executors read the key store and the password file themselves, as on a cluster. */
    private KeyRingSource keys(GeneratedCampaign f) throws IOException {
        Path pw = tmp.resolve("password.txt");
        Files.writeString(pw, GeneratedCampaign.PASSWORD + "\n");
        return new KeyRingSource.FromStore(
                GeneratedCampaign.uri(CampaignLayout.openRing(f.variantDir)).toString(),
                GeneratedCampaign.uri(pw).toString(),
                TaskFiles.of(spark));
    }

    private List<SummaryLine> reconcile(GeneratedCampaign f, Path settlement, Path warehouse) throws Exception {
        long t0 = System.nanoTime();
        HadoopFileStore store = new HadoopFileStore(spark.sparkContext().hadoopConfiguration());
        return Reconciliation.run(
                spark,
                store,
                CampaignInputs.load(store, GeneratedCampaign.uri(f.variantDir), GeneratedCampaign.uri(settlement)),
                keys(f),
                GeneratedCampaign.uri(warehouse),
                s -> System.err.printf("[%.1f s] %s%n", (System.nanoTime() - t0) / 1e9, s));
    }

    private Dataset<Row> table(Path warehouse, String name) {
        return spark.read().parquet(warehouse.resolve(name).toString());
    }

    private static Map<String, String> statusByCheck(List<SummaryLine> summary) {
        return summary.stream().collect(Collectors.toMap(SummaryLine::check, SummaryLine::status));
    }

    /** Three credited, one pending, one rejected: the usual state during a campaign. */
    private static GeneratedCampaign.Logs cleanLogs(GeneratedCampaign f) {
        GeneratedCampaign.Logs logs = new GeneratedCampaign.Logs();
        for (int i = 0; i < 3; i++) {
            logs.openAndCredit(f, f.envelopes.get(i), "u" + i);
        }
        logs.open(f.envelopes.get(3), "u3");
        logs.reject(logs.open(f.envelopes.get(4), "u4"), RejectReason.USER_CAP);
        return logs;
    }

    @Test
    void cleanCampaignReconcilesToTheFenAndARerunGivesTheSameTables() throws Exception {
        GeneratedCampaign f = GeneratedCampaign.generate(tmp.resolve("campaign"), 1, 40);
        Path warehouse = tmp.resolve("wh");
        Path settle = cleanLogs(f).write(spark, tmp.resolve("settle"));
        List<SummaryLine> summary = reconcile(f, settle, warehouse);
        Map<String, List<String>> firstRun = snapshot(warehouse);
        assertThat(reconcile(f, settle, warehouse)).isEqualTo(summary);
        assertThat(snapshot(warehouse)).isEqualTo(firstRun);
        assertThat(firstRun)
                .containsKeys(
                        Reconciliation.SUMMARY, Reconciliation.MONEY_EQUATION, Reconciliation.CREDIT_DISCREPANCIES);

        assertThat(summary)
                .filteredOn(s -> !s.check().equals("credit_discrepancies:ACCEPTED_NOT_CREDITED"))
                .allSatisfy(s -> assertThat(s.status()).as(s.toString()).isEqualTo("OK"));
        assertThat(statusByCheck(summary)).containsEntry("credit_discrepancies:ACCEPTED_NOT_CREDITED", "WARN");

        long credited = f.envelopes.subList(0, 3).stream()
                .mapToLong(Envelope::amountFen)
                .sum();
        long pending = f.envelopes.get(3).amountFen();
        long rejected = f.envelopes.get(4).amountFen();
        Row total = table(warehouse, Reconciliation.MONEY_EQUATION)
                .where(col("scope").equalTo("TOTAL"))
                .first();
        assertThat(total.<Long>getAs("budget_fen")).isEqualTo(f.budgetFen());
        assertThat(total.<Long>getAs("credited_fen")).isEqualTo(credited);
        assertThat(total.<Long>getAs("pending_fen")).isEqualTo(pending);
        assertThat(total.<Long>getAs("refund_fen")).isEqualTo(f.budgetFen() - credited - pending);
        assertThat(total.<Long>getAs("difference_fen")).isZero();
        assertThat(table(warehouse, Reconciliation.MONEY_EQUATION)
                        .where(col("holds").equalTo(false))
                        .count())
                .isZero();
        // The typed summary published with the tables says the same, and is what the verdict is made from.
        ReconciliationSummary typed = WarehouseLayout.readSummary(LocalFileStore.INSTANCE, warehouse.toUri());
        assertThat(Reconciliation.lines(typed)).isEqualTo(summary);
        assertThat(typed.getMoneyEquation())
                .isEqualTo(new MoneyEquation(
                        f.budgetFen(), credited, f.budgetFen() - credited - pending, pending, 0L, 0L));
        assertThat(ReconciliationVerdict.failures(typed)).isEmpty();

        Dataset<Row> refunds = table(warehouse, Reconciliation.REFUNDS);
        assertThat(refunds.where(col("reason").equalTo(Checks.REFUND_REJECTED))
                        .agg(org.apache.spark.sql.functions.sum("amount_fen"))
                        .first()
                        .getLong(0))
                .isEqualTo(rejected);
        assertThat(refunds.where(col("reason").equalTo(Checks.REFUND_NEVER_OPENED))
                        .agg(org.apache.spark.sql.functions.sum("envelopes"))
                        .first()
                        .getLong(0))
                .isEqualTo(f.envelopes.size() - 5);

        assertThat(table(warehouse, Reconciliation.FILES_VS_SCRIPT)
                        .where(col("ok"))
                        .count())
                .isEqualTo(f.batches.size());
        assertThat(table(warehouse, Reconciliation.MANIFEST_VS_FILES)
                        .where(col("status").equalTo("OK"))
                        .count())
                .isEqualTo(f.manifests.size());
        Dataset<Row> status = table(warehouse, Reconciliation.ENVELOPE_STATUS);
        assertThat(status.count()).isEqualTo(5);
        assertThat(status.where(col("status").equalTo(Checks.PENDING)).first().<Long>getAs("envelope_id"))
                .isEqualTo(f.envelopes.get(3).envelopeId());
        assertThat(Files.list(tmp).map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("staging"));
    }

    @Test
    void plantedCreditFaultsLandInTheirTypeAndBreakTheEquationByTheirExcess() throws Exception {
        GeneratedCampaign f = GeneratedCampaign.generate(tmp.resolve("campaign"), 2, 30);
        GeneratedCampaign.Logs logs = cleanLogs(f);
        Envelope duplicated = f.envelopes.get(0);
        Envelope tampered = f.envelopes.get(10);
        Envelope noOpen = f.envelopes.get(11);
        String sponsorOfTampered = f.batch(tampered.batchId()).getSponsorId();
        // forged: a ticket sealed with a real key (leaked), id never generated, accepted by the online path
        long forgedId = f.batches.stream()
                        .mapToLong(b -> b.getFirstEnvelopeId() + b.getCount())
                        .max()
                        .orElseThrow()
                + 1_000_000L;
        Envelope forged = new Envelope(forgedId, 777, 1, 1, null, -1);
        logs.credit(forgedId, 777, 1, "sp-a", logs.open(forged, "attacker"), "attacker");
        // tampered: a real envelope credited with 100 fen more
        logs.credit(
                tampered.envelopeId(),
                tampered.amountFen() + 100,
                tampered.batchId(),
                sponsorOfTampered,
                logs.open(tampered, "u10"),
                "u10");
        // duplicate: envelope 0 (already credited once) credited again for the same open
        String firstOpen = logs.credits.get(0).getOpenEventId();
        logs.credit(
                duplicated.envelopeId(),
                duplicated.amountFen(),
                duplicated.batchId(),
                f.batch(duplicated.batchId()).getSponsorId(),
                firstOpen,
                "u0");
        // credit without an accepted open: the open event id exists nowhere
        logs.credit(
                noOpen.envelopeId(),
                noOpen.amountFen(),
                noOpen.batchId(),
                f.batch(noOpen.batchId()).getSponsorId(),
                "ev-ghost",
                "insider");

        Path warehouse = tmp.resolve("wh");
        List<SummaryLine> summary = reconcile(f, logs.write(spark, tmp.resolve("settle")), warehouse);

        Dataset<Row> disc = table(warehouse, Reconciliation.CREDIT_DISCREPANCIES);
        Map<Long, String> typeByEnvelope = disc.collectAsList().stream()
                .collect(Collectors.toMap(r -> r.<Long>getAs("envelope_id"), r -> r.<String>getAs("type")));
        assertThat(typeByEnvelope)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        forgedId,
                        Checks.FORGED,
                        tampered.envelopeId(),
                        Checks.TAMPERED,
                        duplicated.envelopeId(),
                        Checks.DUPLICATE_CREDIT,
                        noOpen.envelopeId(),
                        Checks.CREDIT_WITHOUT_ACCEPTED_OPEN,
                        f.envelopes.get(3).envelopeId(),
                        Checks.ACCEPTED_NOT_CREDITED));
        Row tamperedRow = disc.where(col("type").equalTo(Checks.TAMPERED)).first();
        assertThat(tamperedRow.<Long>getAs("excess_fen")).isEqualTo(100L);
        assertThat(tamperedRow.<String>getAs("detail"))
                .contains("amount " + (tampered.amountFen() + 100) + " != generated " + tampered.amountFen());
        assertThat(disc.where(col("hour").isNull()).count()).isZero();

        long excess = 777 + 100 + duplicated.amountFen();
        Row total = table(warehouse, Reconciliation.MONEY_EQUATION)
                .where(col("scope").equalTo("TOTAL"))
                .first();
        assertThat(total.<Long>getAs("difference_fen")).isEqualTo(excess);
        assertThat(total.<Boolean>getAs("holds")).isFalse();
        assertThat(summary)
                .filteredOn(s -> s.check().equals("money_equation"))
                .singleElement()
                .satisfies(s -> assertThat(s.amountFen()).isEqualTo(excess));
        ReconciliationSummary typed = WarehouseLayout.readSummary(LocalFileStore.INSTANCE, warehouse.toUri());
        assertThat(typed.getDiscrepancies())
                .allSatisfy(
                        d -> assertThat(d.getEnvelopes()).as(d.getType().name()).isEqualTo(1L));
        assertThat(ReconciliationVerdict.failures(typed))
                .hasSize(5)
                .anyMatch(l -> l.startsWith("money equation broken"))
                .anyMatch(l -> l.startsWith("FORGED: 1 envelopes"))
                .anyMatch(l -> l.startsWith("TAMPERED: 1 envelopes"))
                .anyMatch(l -> l.startsWith("DUPLICATE_CREDIT: 1 envelopes"))
                .anyMatch(l -> l.startsWith("CREDIT_WITHOUT_ACCEPTED_OPEN: 1 envelopes"));

        // The generation side is clean: nothing else may be flagged.
        Map<String, String> status = statusByCheck(summary);
        for (String check : List.of(
                "budget_vs_script",
                "files_vs_script",
                "manifest_vs_files",
                "envelope_id_uniqueness",
                "decrypt_failures",
                "record_violations")) {
            assertThat(status).containsEntry(check, "OK");
        }
    }

    @Test
    void aRedeliveredOpenIsOneEventUnderBothSettlementContracts() throws Exception {
        GeneratedCampaign f = GeneratedCampaign.generate(tmp.resolve("campaign"), 4, 20);
        GeneratedCampaign.Logs logs = new GeneratedCampaign.Logs();
        // today's contract: the copy of an accepted open is idempotent (no reject, no second credit)
        for (int i = 0; i < 5; i++) {
            logs.redeliver(logs.openAndCredit(f, f.envelopes.get(i), "u" + i));
        }
        // logs written before it: the copy was rejected as DUPLICATE_ENVELOPE under the same event id
        for (int i = 5; i < 10; i++) {
            String ev = logs.openAndCredit(f, f.envelopes.get(i), "u" + i);
            logs.redeliver(ev);
            logs.reject(ev, RejectReason.DUPLICATE_ENVELOPE);
        }
        // old contract, accepted but not credited yet when the logs were cut: pending, not rejected
        String pendingEv = logs.open(f.envelopes.get(10), "u10");
        logs.redeliver(pendingEv);
        logs.reject(pendingEv, RejectReason.DUPLICATE_ENVELOPE);
        // rejected at its first delivery (cap) and again at the copy: rejected, for the cap
        String capped = logs.open(f.envelopes.get(11), "u11");
        logs.redeliver(capped);
        logs.reject(capped, RejectReason.USER_CAP);
        logs.reject(capped, RejectReason.DUPLICATE_ENVELOPE);
        // still an alarm: delivered once, rejected, and credited all the same
        Envelope paidAnyway = f.envelopes.get(12);
        String once = logs.open(paidAnyway, "u12");
        logs.reject(once, RejectReason.DUPLICATE_ENVELOPE);
        logs.credit(
                paidAnyway.envelopeId(),
                paidAnyway.amountFen(),
                paidAnyway.batchId(),
                f.batch(paidAnyway.batchId()).getSponsorId(),
                once,
                "u12");

        Path warehouse = tmp.resolve("wh");
        List<SummaryLine> summary = reconcile(f, logs.write(spark, tmp.resolve("settle")), warehouse);

        Map<Long, String> typeByEnvelope =
                table(warehouse, Reconciliation.CREDIT_DISCREPANCIES).collectAsList().stream()
                        .collect(Collectors.toMap(r -> r.<Long>getAs("envelope_id"), r -> r.<String>getAs("type")));
        assertThat(typeByEnvelope)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        f.envelopes.get(10).envelopeId(), Checks.ACCEPTED_NOT_CREDITED,
                        paidAnyway.envelopeId(), Checks.CREDIT_WITHOUT_ACCEPTED_OPEN));
        Map<Long, String> status = table(warehouse, Reconciliation.ENVELOPE_STATUS).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.<Long>getAs("envelope_id"), r -> r.<String>getAs("status")));
        assertThat(status).hasSize(13);
        for (int i = 0; i < 10; i++) {
            assertThat(status).containsEntry(f.envelopes.get(i).envelopeId(), Checks.CREDITED);
        }
        assertThat(status)
                .containsEntry(f.envelopes.get(10).envelopeId(), Checks.PENDING)
                .containsEntry(f.envelopes.get(11).envelopeId(), Checks.REJECTED)
                .containsEntry(paidAnyway.envelopeId(), Checks.CREDITED);

        // opened, accepted, rejected, credited: each event once, its deliveries beside it
        Map<String, long[]> byOutcome = new java.util.TreeMap<>();
        for (Row r : table(warehouse, Reconciliation.OPENS_BY_OUTCOME).collectAsList()) {
            String key = r.<String>getAs("outcome")
                    + (r.isNullAt(r.fieldIndex("reason")) ? "" : ":" + r.<String>getAs("reason"));
            long[] t = byOutcome.computeIfAbsent(key, k -> new long[3]);
            t[0] += r.<Long>getAs("open_events");
            t[1] += r.<Long>getAs("deliveries");
            t[2] += r.<Long>getAs("redelivered_events");
        }
        assertThat(byOutcome)
                .containsOnlyKeys("CREDITED", "ACCEPTED", "REJECTED:USER_CAP", "REJECTED:DUPLICATE_ENVELOPE");
        assertThat(byOutcome.get("CREDITED")).containsExactly(10, 20, 10);
        assertThat(byOutcome.get("ACCEPTED")).containsExactly(1, 2, 1);
        assertThat(byOutcome.get("REJECTED:USER_CAP")).containsExactly(1, 2, 1);
        assertThat(byOutcome.get("REJECTED:DUPLICATE_ENVELOPE")).containsExactly(1, 1, 0);

        Row total = table(warehouse, Reconciliation.MONEY_EQUATION)
                .where(col("scope").equalTo("TOTAL"))
                .first();
        assertThat(total.<Long>getAs("difference_fen")).isZero();
        assertThat(total.<Long>getAs("pending_fen"))
                .isEqualTo(f.envelopes.get(10).amountFen());
        assertThat(statusByCheck(summary))
                .containsEntry("credit_discrepancies:CREDIT_WITHOUT_ACCEPTED_OPEN", "FAIL")
                .containsEntry("credit_discrepancies:DUPLICATE_CREDIT", "OK")
                .containsEntry("money_equation", "OK");
    }

    @Test
    void plantedFileDamageLandsInTheFileTablesOnly() throws Exception {
        GeneratedCampaign f = GeneratedCampaign.generate(tmp.resolve("campaign"), 3, 30);
        String file0 = f.manifests.get(0).getFileName();
        String file1 = f.manifests.get(1).getFileName();
        Path p0 = f.variantDir.resolve(file0);
        Path p1 = f.variantDir.resolve(file1);
        byte[] b0 = Files.readAllBytes(p0);
        byte[] b1 = Files.readAllBytes(p1);
        // record 2 of file 0: one flipped ticket bit (its CRC no longer matches)
        b0[2 * EnvelopeLayout.RECORD_BYTES + EnvelopeLayout.TICKET_OFFSET + 3] ^= 0x10;
        // record 0 of file 1 re-sealed with an amount above its batch's max, under a real key
        Envelope victim = f.inFile(file1).get(0);
        long tooMuch = f.batch(victim.batchId()).getMaxFen() + 1;
        new TicketSealer(f.ring).seal(victim.envelopeId(), tooMuch, victim.batchId(), victim.keyId(), b1, 0);
        // file 1 also gets a copy of file 0's last record: a duplicate envelope id across files
        byte[] copy = java.util.Arrays.copyOfRange(b0, b0.length - EnvelopeLayout.RECORD_BYTES, b0.length);
        Files.write(p0, b0);
        byte[] b1plus = java.util.Arrays.copyOf(b1, b1.length + EnvelopeLayout.RECORD_BYTES);
        System.arraycopy(copy, 0, b1plus, b1.length, copy.length);
        Files.write(p1, b1plus);
        // and the last manifest names a file that is gone
        String lost = f.manifests.get(3).getFileName();
        f.kit.deleteFile(lost);

        Path warehouse = tmp.resolve("wh");
        List<SummaryLine> summary =
                reconcile(f, new GeneratedCampaign.Logs().write(spark, tmp.resolve("settle")), warehouse);

        Row failure = table(warehouse, Reconciliation.DECRYPT_FAILURES).first();
        assertThat(table(warehouse, Reconciliation.DECRYPT_FAILURES).count()).isOne();
        assertThat(failure.<String>getAs("file_name")).isEqualTo(file0);
        assertThat(failure.<Long>getAs("record_index")).isEqualTo(2L);
        assertThat(failure.<String>getAs("reason")).isEqualTo("RECORD_CHECKSUM");

        Dataset<Row> violations = table(warehouse, Reconciliation.RECORD_VIOLATIONS);
        assertThat(violations.count()).isOne();
        assertThat(violations.first().<String>getAs("reason")).isEqualTo("AMOUNT_OUT_OF_BOUNDS");
        assertThat(violations.first().<Long>getAs("amount_fen")).isEqualTo(tooMuch);

        Dataset<Row> dups = table(warehouse, Reconciliation.ENVELOPE_ID_UNIQUENESS);
        assertThat(dups.count()).isOne();
        assertThat(dups.first().<Integer>getAs("occurrences")).isEqualTo(2);
        assertThat(dups.first().<scala.collection.Seq<String>>getAs("files").mkString(","))
                .isEqualTo(file0 + "," + file1);

        Map<String, String> problems = table(warehouse, Reconciliation.MANIFEST_VS_FILES).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.<String>getAs("file_name"), r -> r.<String>getAs("problems")));
        assertThat(problems.get(file0)).isEqualTo("DECRYPTED_COUNT,AMOUNT,CHECKSUM,BATCHES");
        // each file has its own key: the record copied from file 0 brings file 0's key along
        assertThat(problems.get(file1)).isEqualTo("RECORD_COUNT,DECRYPTED_COUNT,AMOUNT,CHECKSUM,KEY_IDS,BATCHES");
        assertThat(problems.get(lost)).isEqualTo("FILE_MISSING");
        assertThat(problems.get(f.manifests.get(2).getFileName())).isEmpty();

        Map<String, String> status = statusByCheck(summary);
        assertThat(status).containsEntry("budget_vs_script", "OK").containsEntry("files_vs_script", "FAIL");
        for (String type : Checks.DISCREPANCY_TYPES) {
            assertThat(status).containsEntry("credit_discrepancies:" + type, "OK");
        }
    }

    private Map<String, List<String>> snapshot(Path warehouse) throws IOException {
        try (var dirs = Files.list(warehouse)) {
            return dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .collect(Collectors.toMap(
                            n -> n,
                            n -> table(warehouse, n).collectAsList().stream()
                                    .map(Row::toString)
                                    .sorted()
                                    .toList()));
        }
    }

    @Test
    void badOrMissingInputsFailNamingTheInputAndWriteNothing() throws Exception {
        GeneratedCampaign f = GeneratedCampaign.generate(tmp.resolve("campaign"), 5, 10);
        Path settle = cleanLogs(f).write(spark, tmp.resolve("settle"));
        Path warehouse = tmp.resolve("wh");

        f.kit.deleteFile(CampaignLayout.MANIFESTS);
        assertThatThrownBy(() -> reconcile(f, settle, warehouse))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(CampaignLayout.MANIFESTS);
        f.restore(CampaignLayout.MANIFESTS);

        // a variant generation has not committed (still running, or failed) is not a campaign
        f.kit.deleteFile(CampaignLayout.COMMIT);
        assertThatThrownBy(() -> reconcile(f, settle, warehouse))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("not a committed campaign variant");
        f.restore(CampaignLayout.COMMIT);

        assertThatThrownBy(() -> reconcile(f, tmp.resolve("nowhere"), warehouse))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("nowhere");

        Files.writeString(f.variantDir.resolve(CampaignLayout.BATCHES), "not avro");
        assertThatThrownBy(() -> reconcile(f, settle, warehouse))
                .isInstanceOf(io.redpacket.cli.CommandLines.InputFileException.class)
                .hasMessageContaining(CampaignLayout.BATCHES);
        f.restore(CampaignLayout.BATCHES);

        // a credits log whose amountFen is a string
        Path badSettle = tmp.resolve("bad-settle");
        new GeneratedCampaign.Logs().write(spark, badSettle);
        Files.delete(badSettle.resolve(CampaignLayout.CREDIT_LOG));
        spark.sql("SELECT 'c1' AS creditId, 5L AS envelopeId, 'x' AS amountFen, '2026-02-16-12' AS hour")
                .write()
                .partitionBy("hour")
                .parquet(badSettle.resolve(CampaignLayout.CREDIT_LOG).toString());
        assertThatThrownBy(() -> reconcile(f, badSettle, warehouse))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining(
                        badSettle.resolve(CampaignLayout.CREDIT_LOG).toString())
                .hasMessageContaining("amountFen is string, expected bigint");

        // a directory that is not a warehouse is never replaced
        Path precious = Files.writeString(
                Files.createDirectories(tmp.resolve("precious")).resolve("notes.txt"), "keep me");
        assertThatThrownBy(() -> reconcile(f, settle, precious.getParent()))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("is not a reconciliation warehouse");
        assertThat(precious).hasContent("keep me");

        assertThat(warehouse).doesNotExist();
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("staging"));
        }
    }
}
