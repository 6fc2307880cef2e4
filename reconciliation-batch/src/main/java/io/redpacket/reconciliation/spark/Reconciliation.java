package io.redpacket.reconciliation.spark;

import static org.apache.spark.sql.functions.*;

import io.redpacket.avro.CheckStatus;
import io.redpacket.avro.CreditDiscrepancyTotal;
import io.redpacket.avro.CreditDiscrepancyType;
import io.redpacket.avro.MoneyEquation;
import io.redpacket.avro.ReconciliationCheck;
import io.redpacket.avro.ReconciliationSummary;
import io.redpacket.cli.BadInputException;
import io.redpacket.io.FileStore;
import io.redpacket.money.ReconciliationVerdict;
import io.redpacket.reconciliation.CampaignInputs;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.sketch.BloomFilter;

/**
 * Assembles one reconciliation run: reads the inputs, scans the envelope files once (to a scratch Parquet
 * directory, so the decryption is never repeated), derives every check table from it and the settlement logs,
 * writes them to a staging warehouse and swaps it in. All rules live in {@link Checks} and the scanner.
 */
public final class Reconciliation {
    private Reconciliation() {}

    // Table names: the warehouse's sub-directories and the view names of `redpacket sql`.
    public static final String BUDGET = "budget";
    public static final String PLAN_ALLOCATIONS = "plan_allocations";
    public static final String BATCHES = "batches";
    public static final String MANIFESTS = "manifests";
    public static final String BUDGET_VS_SCRIPT = "budget_vs_script";
    public static final String FILES_VS_SCRIPT = "files_vs_script";
    public static final String MANIFEST_VS_FILES = "manifest_vs_files";
    public static final String ENVELOPE_ID_UNIQUENESS = "envelope_id_uniqueness";
    public static final String DECRYPT_FAILURES = "decrypt_failures";
    public static final String RECORD_VIOLATIONS = "record_violations";
    public static final String ENVELOPE_STATUS = "envelope_status";
    public static final String CREDIT_DISCREPANCIES = "credit_discrepancies";
    public static final String CREDITS_BY_BATCH = "credits_by_batch";
    public static final String OPENS_BY_OUTCOME = "opens_by_outcome";
    public static final String REFUNDS = "refunds";
    public static final String MONEY_EQUATION = "money_equation";
    public static final String SUMMARY = "summary";
    private static final String SCAN = Warehouse.SCRATCH_PREFIX + "scan";
    private static final String MATCHED = Warehouse.SCRATCH_PREFIX + "matched";

    /** Expected false-positive rate of the Bloom filter that picks records the logs may reference. */
    static final double BLOOM_FPP = 0.01;

    public static final StructType SUMMARY_SCHEMA = new StructType()
            .add("ord", DataTypes.IntegerType, false)
            .add("check", DataTypes.StringType, false)
            .add("status", DataTypes.StringType, false)
            .add("problems", DataTypes.LongType, false)
            .add("amount_fen", DataTypes.LongType, false)
            .add("detail", DataTypes.StringType, false);

    public record SummaryLine(String check, String status, long problems, long amountFen, String detail) {}

    /**
     * @param store the driver's view of the file systems (the session's Hadoop configuration)
     * @param warehouseDir where the tables are published (see {@link Warehouse})
     */
    public static List<SummaryLine> run(
            SparkSession spark,
            FileStore store,
            CampaignInputs in,
            KeyRingSource keys,
            URI warehouseDir,
            Consumer<String> progress)
            throws IOException, BadInputException {
        SettlementLogs logs = SettlementLogs.read(spark, store, in.settlementDir());
        Warehouse wh = Warehouse.begin(store, warehouseDir);
        try {
            progress.accept("indexing envelope ids referenced by the settlement logs");
            BloomFilter referenced = referencedIds(logs);

            progress.accept("decrypting " + in.envelopeFiles().size() + " envelope files");
            wh.writeScratch(SCAN, EnvelopeScan.scan(spark, in, keys, TaskFiles.of(spark), referenced), "kind");
            Dataset<Row> scan = wh.read(spark, SCAN);
            Dataset<Row> files = kind(scan, EnvelopeScan.KIND_FILE)
                    .select("file_name", "slot_id", "record_count", "byte_size", "checksum", "key_ids");
            Dataset<Row> fileBatches = kind(scan, EnvelopeScan.KIND_BATCH)
                    .select(
                            col("file_name"),
                            col("batch_id"),
                            col("record_count").as("count"),
                            col("amount_fen"));

            Dataset<Row> budget = ReferenceTables.budget(spark, in.budget());
            Dataset<Row> allocations = ReferenceTables.allocations(spark, in.plan());
            Dataset<Row> batches = ReferenceTables.batches(spark, in.batches());
            Dataset<Row> manifests = ReferenceTables.manifests(spark, in.manifests());

            // Independent tables, written as concurrent jobs (see Warehouse.writeAll).
            progress.accept("checking budget, script, files and manifests, and global uniqueness of envelope ids");
            wh.writeAll(List.of(
                    new Warehouse.Pending(BUDGET, budget.coalesce(1)),
                    new Warehouse.Pending(PLAN_ALLOCATIONS, allocations.coalesce(1)),
                    new Warehouse.Pending(BATCHES, batches.coalesce(1)),
                    new Warehouse.Pending(MANIFESTS, manifests.coalesce(1)),
                    new Warehouse.Pending(
                            BUDGET_VS_SCRIPT,
                            Checks.budgetVsScript(budget, allocations, batches).coalesce(1)),
                    new Warehouse.Pending(
                            FILES_VS_SCRIPT,
                            Checks.filesVsScript(batches, fileBatches).coalesce(1)),
                    new Warehouse.Pending(
                            MANIFEST_VS_FILES,
                            Checks.manifestVsFiles(
                                            manifests,
                                            ReferenceTables.manifestBatches(spark, in.manifests()),
                                            files,
                                            fileBatches)
                                    .coalesce(1)),
                    new Warehouse.Pending(
                            DECRYPT_FAILURES,
                            kind(scan, EnvelopeScan.KIND_FAILURE)
                                    .select("file_name", "record_index", "reason", "key_id", "batch_id")),
                    new Warehouse.Pending(
                            RECORD_VIOLATIONS,
                            kind(scan, EnvelopeScan.KIND_VIOLATION)
                                    .select(
                                            "file_name",
                                            "record_index",
                                            "reason",
                                            "envelope_id",
                                            "amount_fen",
                                            "batch_id",
                                            "key_id")),
                    new Warehouse.Pending(
                            ENVELOPE_ID_UNIQUENESS,
                            Checks.envelopeIdUniqueness(
                                            spark,
                                            kind(scan, EnvelopeScan.KIND_IDS).select("bucket", "file_name", "blob"),
                                            EnvelopeScan.BUCKET_BITS)
                                    .coalesce(1))));

            progress.accept("matching opens and credits against the pre-generated envelopes");
            wh.writeScratch(
                    MATCHED,
                    EnvelopeMatching.match(
                            spark,
                            kind(scan, EnvelopeScan.KIND_REFERENCED),
                            in.batches(),
                            logs,
                            spark.sessionState().conf().numShufflePartitions()),
                    "row_kind");
            Dataset<Row> matched = wh.read(spark, MATCHED);
            wh.write(ENVELOPE_STATUS, EnvelopeMatching.envelopeStatus(matched), "status");
            Dataset<Row> status = wh.read(spark, ENVELOPE_STATUS);
            progress.accept("credit discrepancies, refunds and the money equation");
            wh.writeAll(List.of(
                    new Warehouse.Pending(CREDIT_DISCREPANCIES, EnvelopeMatching.creditDiscrepancies(matched), "type"),
                    new Warehouse.Pending(
                            CREDITS_BY_BATCH,
                            Checks.creditsByBatch(logs.credits()).coalesce(1)),
                    new Warehouse.Pending(
                            OPENS_BY_OUTCOME,
                            EnvelopeMatching.opensByOutcome(matched).coalesce(1)),
                    new Warehouse.Pending(
                            REFUNDS,
                            Checks.refunds(budget, Checks.generatedBySponsor(fileBatches, batches), status)
                                    .coalesce(1))));
            wh.write(
                    MONEY_EQUATION,
                    Checks.moneyEquation(budget, logs.credits(), wh.read(spark, REFUNDS), status)
                            .coalesce(1));

            ReconciliationSummary typed = summarize(spark, wh, in);
            List<SummaryLine> summary = lines(typed);
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < summary.size(); i++) {
                SummaryLine s = summary.get(i);
                rows.add(RowFactory.create(i + 1, s.check(), s.status(), s.problems(), s.amountFen(), s.detail()));
            }
            wh.write(SUMMARY, spark.createDataFrame(rows, SUMMARY_SCHEMA).coalesce(1));
            wh.writeSummary(typed);
            wh.commit();
            return summary;
        } catch (Exception | Error e) {
            // Nothing of a failed run is published; the previous warehouse stays as it was.
            wh.abort();
            throw e;
        }
    }

    private static Dataset<Row> kind(Dataset<Row> scan, String kind) {
        return scan.where(col("kind").equalTo(kind));
    }

    private static BloomFilter referencedIds(SettlementLogs logs) {
        Dataset<Row> ids = logs.opens()
                .select("envelope_id")
                .union(logs.rejects().select("envelope_id"))
                .union(logs.credits().select("envelope_id"))
                .where(col("envelope_id").isNotNull());
        // Plain row counts come from Parquet footers; an upper bound is all the filter needs. One job for the three
        // logs.
        long n = logs.opens()
                .select(lit(1))
                .union(logs.rejects().select(lit(1)))
                .union(logs.credits().select(lit(1)))
                .count();
        // Spark returns no filter at all for an empty input.
        return n == 0
                ? BloomFilter.create(1_000L, BLOOM_FPP)
                : ids.stat().bloomFilter("envelope_id", Math.max(n, 1_000L), BLOOM_FPP);
    }

    private static ReconciliationSummary summarize(SparkSession spark, Warehouse wh, CampaignInputs in) {
        // Every check's problems and amount in one query (one row per check, and per discrepancy type found), and the
        // money equation in another: on a cluster each Spark job costs about a second, whatever the data.
        Dataset<Row> totals = problems(
                        BUDGET_VS_SCRIPT,
                        table(spark, wh, BUDGET_VS_SCRIPT).where(not(col("ok"))),
                        col("difference_fen"))
                .unionByName(problems(
                        FILES_VS_SCRIPT,
                        table(spark, wh, FILES_VS_SCRIPT).where(not(col("ok"))),
                        col("fen_difference")))
                .unionByName(problems(
                        MANIFEST_VS_FILES,
                        table(spark, wh, MANIFEST_VS_FILES).where(col("status").notEqual("OK")),
                        lit(0L)))
                .unionByName(problems(ENVELOPE_ID_UNIQUENESS, table(spark, wh, ENVELOPE_ID_UNIQUENESS), lit(0L)))
                .unionByName(problems(DECRYPT_FAILURES, table(spark, wh, DECRYPT_FAILURES), lit(0L)))
                .unionByName(problems(RECORD_VIOLATIONS, table(spark, wh, RECORD_VIOLATIONS), col("amount_fen")))
                .unionByName(table(spark, wh, CREDIT_DISCREPANCIES)
                        .groupBy(concat(lit(CREDIT_DISCREPANCIES + ":"), col("type"))
                                .as("check"))
                        .agg(
                                count(lit(1)).as("problems"),
                                coalesce(sum("amount_fen"), lit(0L))
                                        .cast(DataTypes.LongType)
                                        .as("amount_fen"),
                                coalesce(sum("excess_fen"), lit(0L))
                                        .cast(DataTypes.LongType)
                                        .as("excess_fen")));
        Map<String, Row> byCheck = new HashMap<>();
        for (Row r : totals.collectAsList()) {
            byCheck.put(r.getString(0), r);
        }
        List<ReconciliationCheck> checks = new ArrayList<>();
        checks.add(check(
                byCheck.get(BUDGET_VS_SCRIPT),
                "sponsors whose budget, script and batches disagree; amount = script - budget"));
        checks.add(check(
                byCheck.get(FILES_VS_SCRIPT),
                "batches whose decrypted count or amount differs from the script; amount = decrypted - script"));
        checks.add(check(byCheck.get(MANIFEST_VS_FILES), "files missing, unlisted, or differing from their manifest"));
        checks.add(check(byCheck.get(ENVELOPE_ID_UNIQUENESS), "envelope ids found more than once"));
        checks.add(check(byCheck.get(DECRYPT_FAILURES), "records that do not open with their key"));
        checks.add(check(
                byCheck.get(RECORD_VIOLATIONS),
                "records outside their batch's amount bounds, id range, slot, or batch list"));

        List<CreditDiscrepancyTotal> discrepancies = new ArrayList<>();
        for (CreditDiscrepancyType type : CreditDiscrepancyType.values()) {
            Row r = byCheck.get(CREDIT_DISCREPANCIES + ":" + type.name());
            long envelopes = r == null ? 0 : r.getLong(1);
            discrepancies.add(new CreditDiscrepancyTotal(
                    type,
                    ReconciliationVerdict.statusOf(type, envelopes),
                    envelopes,
                    r == null ? 0 : r.getLong(2),
                    r == null ? 0 : r.getLong(3)));
        }
        Column isTotal = col("scope").equalTo("TOTAL");
        Row e = table(spark, wh, MONEY_EQUATION)
                .agg(
                        sum(when(isTotal, lit(1L)).otherwise(lit(0L))),
                        max(when(isTotal, col("budget_fen"))),
                        max(when(isTotal, col("credited_fen"))),
                        max(when(isTotal, col("refund_fen"))),
                        max(when(isTotal, col("pending_fen"))),
                        max(when(isTotal, col("difference_fen"))),
                        coalesce(sum(when(not(col("holds")), lit(1L)).otherwise(lit(0L))), lit(0L)))
                .first();
        if (e.isNullAt(0) || e.getLong(0) != 1) {
            throw new IllegalStateException(
                    MONEY_EQUATION + " has " + (e.isNullAt(0) ? 0 : e.getLong(0)) + " TOTAL rows, not one");
        }
        MoneyEquation equation =
                new MoneyEquation(e.getLong(1), e.getLong(2), e.getLong(3), e.getLong(4), e.getLong(5), e.getLong(6));
        return new ReconciliationSummary(
                in.campaignId(), in.variantName(), System.currentTimeMillis(), checks, discrepancies, equation);
    }

    /** The summary as the lines `reconcile` prints and the {@code summary} table holds: text derived from the typed record. */
    public static List<SummaryLine> lines(ReconciliationSummary s) {
        List<SummaryLine> out = new ArrayList<>();
        for (ReconciliationCheck c : s.getChecks()) {
            out.add(new SummaryLine(
                    c.getName(), c.getStatus().name(), c.getProblems(), c.getAmountFen(), c.getDetail()));
        }
        for (CreditDiscrepancyTotal d : s.getDiscrepancies()) {
            String detail = "amount = sum of amount_fen; excess over generated = " + d.getExcessFen() + " fen";
            out.add(new SummaryLine(
                    "credit_discrepancies:" + d.getType(),
                    d.getStatus().name(),
                    d.getEnvelopes(),
                    d.getAmountFen(),
                    d.getType() == CreditDiscrepancyType.ACCEPTED_NOT_CREDITED ? "pending: " + detail : detail));
        }
        MoneyEquation e = s.getMoneyEquation();
        out.add(new SummaryLine(
                MONEY_EQUATION,
                ReconciliationVerdict.equationHolds(e) ? "OK" : "FAIL",
                e.getBrokenScopes(),
                e.getDifferenceFen(),
                "credited " + e.getCreditedFen() + " + refunds " + e.getRefundFen() + " + pending " + e.getPendingFen()
                        + " - budget " + e.getBudgetFen() + " = " + e.getDifferenceFen() + " fen"));
        return out;
    }

    /** One row: the check's name, its number of problem rows, the sum of their amount, no excess. */
    private static Dataset<Row> problems(String check, Dataset<Row> rows, Column amountFen) {
        return rows.agg(
                        count(lit(1)).as("problems"),
                        coalesce(sum(amountFen), lit(0L))
                                .cast(DataTypes.LongType)
                                .as("amount_fen"))
                .select(lit(check).as("check"), col("problems"), col("amount_fen"), lit(0L).as("excess_fen"));
    }

    private static ReconciliationCheck check(Row totals, String detail) {
        String name = totals.getString(0);
        long problems = totals.getLong(1);
        return new ReconciliationCheck(
                name, problems == 0 ? CheckStatus.OK : CheckStatus.FAIL, problems, totals.getLong(2), detail);
    }

    private static Dataset<Row> table(SparkSession spark, Warehouse wh, String name) {
        return wh.read(spark, name);
    }
}
