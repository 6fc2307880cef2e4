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
import java.util.List;
import java.util.function.Consumer;
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
            .add("ord", DataTypes.IntegerType, false).add("check", DataTypes.StringType, false)
            .add("status", DataTypes.StringType, false).add("problems", DataTypes.LongType, false)
            .add("amount_fen", DataTypes.LongType, false).add("detail", DataTypes.StringType, false);

    public record SummaryLine(String check, String status, long problems, long amountFen, String detail) {}

    /**
     * @param store the driver's view of the file systems (the session's Hadoop configuration)
     * @param warehouseDir where the tables are published (see {@link Warehouse})
     */
    public static List<SummaryLine> run(SparkSession spark, FileStore store, CampaignInputs in, KeyRingSource keys, URI warehouseDir,
                                        Consumer<String> progress) throws IOException, BadInputException {
        SettlementLogs logs = SettlementLogs.read(spark, store, in.settlementDir());
        Warehouse wh = Warehouse.begin(store, warehouseDir);
        try {
            progress.accept("indexing envelope ids referenced by the settlement logs");
            BloomFilter referenced = referencedIds(logs);

            progress.accept("decrypting " + in.envelopeFiles().size() + " envelope files");
            wh.writeScratch(SCAN, EnvelopeScan.scan(spark, in, keys, TaskFiles.of(spark), referenced), "kind");
            Dataset<Row> scan = spark.read().parquet(wh.path(SCAN));
            Dataset<Row> files = kind(scan, EnvelopeScan.KIND_FILE).select("file_name", "slot_id", "record_count", "byte_size", "checksum", "key_ids");
            Dataset<Row> fileBatches = kind(scan, EnvelopeScan.KIND_BATCH)
                    .select(col("file_name"), col("batch_id"), col("record_count").as("count"), col("amount_fen"));

            Dataset<Row> budget = ReferenceTables.budget(spark, in.budget());
            Dataset<Row> allocations = ReferenceTables.allocations(spark, in.plan());
            Dataset<Row> batches = ReferenceTables.batches(spark, in.batches());
            Dataset<Row> manifests = ReferenceTables.manifests(spark, in.manifests());
            wh.write(BUDGET, budget.coalesce(1));
            wh.write(PLAN_ALLOCATIONS, allocations.coalesce(1));
            wh.write(BATCHES, batches.coalesce(1));
            wh.write(MANIFESTS, manifests.coalesce(1));

            progress.accept("checking budget, script, files and manifests");
            wh.write(BUDGET_VS_SCRIPT, Checks.budgetVsScript(budget, allocations, batches).coalesce(1));
            wh.write(FILES_VS_SCRIPT, Checks.filesVsScript(batches, fileBatches).coalesce(1));
            wh.write(MANIFEST_VS_FILES, Checks.manifestVsFiles(manifests, ReferenceTables.manifestBatches(spark, in.manifests()),
                    files, fileBatches).coalesce(1));
            wh.write(DECRYPT_FAILURES, kind(scan, EnvelopeScan.KIND_FAILURE)
                    .select("file_name", "record_index", "reason", "key_id", "batch_id"));
            wh.write(RECORD_VIOLATIONS, kind(scan, EnvelopeScan.KIND_VIOLATION)
                    .select("file_name", "record_index", "reason", "envelope_id", "amount_fen", "batch_id", "key_id"));

            progress.accept("checking global uniqueness of envelope ids");
            wh.write(ENVELOPE_ID_UNIQUENESS, Checks.envelopeIdUniqueness(spark,
                    kind(scan, EnvelopeScan.KIND_IDS).select("bucket", "file_name", "blob"), EnvelopeScan.BUCKET_BITS).coalesce(1));

            progress.accept("matching opens and credits against the pre-generated envelopes");
            wh.writeScratch(MATCHED, EnvelopeMatching.match(spark, kind(scan, EnvelopeScan.KIND_REFERENCED), in.batches(), logs,
                    spark.sessionState().conf().numShufflePartitions()), "row_kind");
            Dataset<Row> matched = spark.read().parquet(wh.path(MATCHED));
            wh.write(ENVELOPE_STATUS, EnvelopeMatching.envelopeStatus(matched), "status");
            Dataset<Row> status = spark.read().parquet(wh.path(ENVELOPE_STATUS));
            wh.write(CREDIT_DISCREPANCIES, EnvelopeMatching.creditDiscrepancies(matched), "type");
            wh.write(CREDITS_BY_BATCH, Checks.creditsByBatch(logs.credits()).coalesce(1));
            wh.write(OPENS_BY_OUTCOME, EnvelopeMatching.opensByOutcome(matched).coalesce(1));

            progress.accept("refunds and the money equation");
            wh.write(REFUNDS, Checks.refunds(budget, Checks.generatedBySponsor(fileBatches, batches), status).coalesce(1));
            wh.write(MONEY_EQUATION, Checks.moneyEquation(budget, logs.credits(), spark.read().parquet(wh.path(REFUNDS)), status).coalesce(1));

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
        Dataset<Row> ids = logs.opens().select("envelope_id").union(logs.rejects().select("envelope_id"))
                .union(logs.credits().select("envelope_id")).where(col("envelope_id").isNotNull());
        // Plain row counts come from Parquet footers; an upper bound is all the filter needs.
        long n = logs.opens().count() + logs.rejects().count() + logs.credits().count();
        // Spark returns no filter at all for an empty input.
        return n == 0 ? BloomFilter.create(1_000L, BLOOM_FPP) : ids.stat().bloomFilter("envelope_id", Math.max(n, 1_000L), BLOOM_FPP);
    }

    private static ReconciliationSummary summarize(SparkSession spark, Warehouse wh, CampaignInputs in) {
        List<ReconciliationCheck> checks = new ArrayList<>();
        Row b = table(spark, wh, BUDGET_VS_SCRIPT).where(not(col("ok")))
                .agg(count(lit(1)), coalesce(sum("difference_fen"), lit(0L))).first();
        checks.add(check(BUDGET_VS_SCRIPT, b.getLong(0), b.getLong(1), "sponsors whose budget, script and batches disagree; amount = script - budget"));
        Row f = table(spark, wh, FILES_VS_SCRIPT).where(not(col("ok")))
                .agg(count(lit(1)), coalesce(sum("fen_difference"), lit(0L))).first();
        checks.add(check(FILES_VS_SCRIPT, f.getLong(0), f.getLong(1), "batches whose decrypted count or amount differs from the script; amount = decrypted - script"));
        long m = table(spark, wh, MANIFEST_VS_FILES).where(col("status").notEqual("OK")).count();
        checks.add(check(MANIFEST_VS_FILES, m, 0, "files missing, unlisted, or differing from their manifest"));
        long u = table(spark, wh, ENVELOPE_ID_UNIQUENESS).count();
        checks.add(check(ENVELOPE_ID_UNIQUENESS, u, 0, "envelope ids found more than once"));
        long d = table(spark, wh, DECRYPT_FAILURES).count();
        checks.add(check(DECRYPT_FAILURES, d, 0, "records that do not open with their key"));
        Row v = table(spark, wh, RECORD_VIOLATIONS).agg(count(lit(1)), coalesce(sum("amount_fen"), lit(0L))).first();
        checks.add(check(RECORD_VIOLATIONS, v.getLong(0), v.getLong(1), "records outside their batch's amount bounds, id range, slot, or batch list"));

        List<CreditDiscrepancyTotal> discrepancies = new ArrayList<>();
        Dataset<Row> disc = table(spark, wh, CREDIT_DISCREPANCIES);
        for (CreditDiscrepancyType type : CreditDiscrepancyType.values()) {
            Row r = disc.where(col("type").equalTo(type.name())).agg(count(lit(1)), coalesce(sum("amount_fen"), lit(0L)), coalesce(sum("excess_fen"), lit(0L))).first();
            discrepancies.add(new CreditDiscrepancyTotal(type, ReconciliationVerdict.statusOf(type, r.getLong(0)), r.getLong(0), r.getLong(1), r.getLong(2)));
        }
        Row total = table(spark, wh, MONEY_EQUATION).where(col("scope").equalTo("TOTAL")).first();
        long broken = table(spark, wh, MONEY_EQUATION).where(not(col("holds"))).count();
        MoneyEquation equation = new MoneyEquation(total.<Long>getAs("budget_fen"), total.<Long>getAs("credited_fen"), total.<Long>getAs("refund_fen"),
                total.<Long>getAs("pending_fen"), total.<Long>getAs("difference_fen"), broken);
        return new ReconciliationSummary(in.campaignId(), in.variantName(), System.currentTimeMillis(), checks, discrepancies, equation);
    }

    /** The summary as the lines `reconcile` prints and the {@code summary} table holds: text derived from the typed record. */
    public static List<SummaryLine> lines(ReconciliationSummary s) {
        List<SummaryLine> out = new ArrayList<>();
        for (ReconciliationCheck c : s.getChecks()) {
            out.add(new SummaryLine(c.getName(), c.getStatus().name(), c.getProblems(), c.getAmountFen(), c.getDetail()));
        }
        for (CreditDiscrepancyTotal d : s.getDiscrepancies()) {
            String detail = "amount = sum of amount_fen; excess over generated = " + d.getExcessFen() + " fen";
            out.add(new SummaryLine("credit_discrepancies:" + d.getType(), d.getStatus().name(), d.getEnvelopes(), d.getAmountFen(),
                    d.getType() == CreditDiscrepancyType.ACCEPTED_NOT_CREDITED ? "pending: " + detail : detail));
        }
        MoneyEquation e = s.getMoneyEquation();
        out.add(new SummaryLine(MONEY_EQUATION, ReconciliationVerdict.equationHolds(e) ? "OK" : "FAIL", e.getBrokenScopes(), e.getDifferenceFen(),
                "credited " + e.getCreditedFen() + " + refunds " + e.getRefundFen() + " + pending " + e.getPendingFen() + " - budget "
                        + e.getBudgetFen() + " = " + e.getDifferenceFen() + " fen"));
        return out;
    }

    private static ReconciliationCheck check(String name, long problems, long amountFen, String detail) {
        return new ReconciliationCheck(name, problems == 0 ? CheckStatus.OK : CheckStatus.FAIL, problems, amountFen, detail);
    }

    private static Dataset<Row> table(SparkSession spark, Warehouse wh, String name) {
        return spark.read().parquet(wh.path(name));
    }
}
