package io.redpacket.reconciliation.spark;

import static org.apache.spark.sql.functions.*;

import io.redpacket.reconciliation.ledger.EnvelopeLedger;
import io.redpacket.reconciliation.scan.DuplicateIds;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;
import scala.collection.immutable.Seq;

/**
 * Every reconciliation check as a pure function from tables to a table. Money is long fen in every column
 * (Spark's ANSI mode makes a long overflow an error, never a wrap). Column conventions: snake_case, amounts
 * end in {@code _fen}.
 */
public final class Checks {
    private Checks() {}

    // Check 5 itself lives in EnvelopeLedger (rules) and EnvelopeMatching (the Spark side).
    public static final String FORGED = EnvelopeLedger.FORGED;
    public static final String TAMPERED = EnvelopeLedger.TAMPERED;
    public static final String DUPLICATE_CREDIT = EnvelopeLedger.DUPLICATE_CREDIT;
    public static final String CREDIT_WITHOUT_ACCEPTED_OPEN = EnvelopeLedger.CREDIT_WITHOUT_ACCEPTED_OPEN;
    public static final String ACCEPTED_NOT_CREDITED = EnvelopeLedger.ACCEPTED_NOT_CREDITED;
    public static final List<String> DISCREPANCY_TYPES = java.util.Arrays.stream(
                    io.redpacket.avro.CreditDiscrepancyType.values())
            .map(Enum::name)
            .toList();

    public static final String CREDITED = EnvelopeLedger.CREDITED;
    public static final String PENDING = EnvelopeLedger.PENDING;
    public static final String REJECTED = EnvelopeLedger.REJECTED;

    public static final String REFUND_UNALLOCATED_BUDGET = "UNALLOCATED_BUDGET";
    public static final String REFUND_NEVER_OPENED = "NEVER_OPENED";
    public static final String REFUND_REJECTED = "REJECTED";

    static Seq<String> using(String... columns) {
        return scala.jdk.javaapi.CollectionConverters.asScala(List.of(columns)).toSeq();
    }

    private static Column fen(String column) {
        return coalesce(col(column), lit(0L));
    }

    /** Check 1: per sponsor, the budget paid vs the funding script's allocations vs generation's batches. */
    public static Dataset<Row> budgetVsScript(Dataset<Row> budget, Dataset<Row> allocations, Dataset<Row> batches) {
        Dataset<Row> b = budget.groupBy("sponsor_id")
                .agg(min("sponsor_name").as("sponsor_name"), sum("funded_fen").as("budget_fen"));
        Dataset<Row> s = allocations
                .groupBy("sponsor_id")
                .agg(sum("total_fen").as("script_fen"), sum("count").as("script_count"));
        Dataset<Row> t = batches.groupBy("sponsor_id")
                .agg(sum("total_fen").as("batches_fen"), sum("count").as("batches_count"));
        return b.join(s, using("sponsor_id"), "full_outer")
                .join(t, using("sponsor_id"), "full_outer")
                .withColumn("difference_fen", fen("script_fen").minus(fen("budget_fen")))
                .withColumn(
                        "ok",
                        coalesce(
                                col("budget_fen")
                                        .equalTo(col("script_fen"))
                                        .and(col("script_fen").equalTo(col("batches_fen")))
                                        .and(col("script_count").equalTo(col("batches_count"))),
                                lit(false)))
                .select(
                        "sponsor_id",
                        "sponsor_name",
                        "budget_fen",
                        "script_fen",
                        "script_count",
                        "batches_fen",
                        "batches_count",
                        "difference_fen",
                        "ok");
    }

    /** Check 2a: per batch, what the script asked for vs what decrypting every record found. */
    public static Dataset<Row> filesVsScript(Dataset<Row> batches, Dataset<Row> fileBatches) {
        Dataset<Row> found = fileBatches
                .groupBy("batch_id")
                .agg(sum("count").as("decrypted_count"), sum("amount_fen").as("decrypted_fen"));
        return batches.select(
                        col("batch_id"),
                        col("slot_id"),
                        col("sponsor_id"),
                        col("type"),
                        col("count").as("script_count"),
                        col("total_fen").as("script_fen"))
                .join(found, using("batch_id"), "full_outer")
                .withColumn("count_difference", fen("decrypted_count").minus(fen("script_count")))
                .withColumn("fen_difference", fen("decrypted_fen").minus(fen("script_fen")))
                .withColumn(
                        "status",
                        when(col("script_count").isNull(), "NOT_IN_SCRIPT")
                                .when(
                                        col("count_difference")
                                                .equalTo(0)
                                                .and(col("fen_difference").equalTo(0)),
                                        "OK")
                                .otherwise("MISMATCH"))
                .withColumn("ok", col("status").equalTo("OK"));
    }

    /** Check 2b: per file, the manifest vs the file on disk (size, checksum) and its decrypted content. */
    public static Dataset<Row> manifestVsFiles(
            Dataset<Row> manifests, Dataset<Row> manifestBatches, Dataset<Row> files, Dataset<Row> fileBatches) {
        Dataset<Row> decrypted = fileBatches
                .groupBy("file_name")
                .agg(sum("count").as("decrypted_count"), sum("amount_fen").as("decrypted_fen"));
        Dataset<Row> onDisk = files.select(
                        col("file_name"),
                        col("slot_id").as("file_slot_id"),
                        col("record_count").as("file_record_count"),
                        col("byte_size"),
                        col("checksum").as("file_checksum"),
                        col("key_ids").as("file_key_ids"))
                .join(decrypted, using("file_name"), "left")
                .withColumn("on_disk", lit(true));
        Dataset<Row> m = manifestBatches.select(
                col("file_name"),
                col("batch_id"),
                col("count").as("m_count"),
                col("amount_fen").as("m_fen"));
        Dataset<Row> f = fileBatches.select(
                col("file_name"),
                col("batch_id"),
                col("count").as("f_count"),
                col("amount_fen").as("f_fen"));
        Dataset<Row> batchMismatches = m.join(f, using("file_name", "batch_id"), "full_outer")
                .groupBy("file_name")
                .agg(sum(when(
                                        col("m_count")
                                                .eqNullSafe(col("f_count"))
                                                .and(col("m_fen").eqNullSafe(col("f_fen"))),
                                        0)
                                .otherwise(1))
                        .as("batch_mismatches"));
        Column both = col("in_manifest").and(col("on_disk"));
        return manifests
                .select(
                        col("file_name"),
                        col("slot_id").as("manifest_slot_id"),
                        col("shard"),
                        col("record_count").as("manifest_record_count"),
                        col("amount_fen").as("manifest_fen"),
                        col("key_ids").as("manifest_key_ids"),
                        col("checksum").as("manifest_checksum"))
                .withColumn("in_manifest", lit(true))
                .join(onDisk, using("file_name"), "full_outer")
                .join(batchMismatches, using("file_name"), "left")
                .withColumn("in_manifest", coalesce(col("in_manifest"), lit(false)))
                .withColumn("on_disk", coalesce(col("on_disk"), lit(false)))
                .withColumn("batch_mismatches", fen("batch_mismatches"))
                .withColumn(
                        "problems",
                        concat_ws(
                                ",",
                                when(not(col("in_manifest")), "NOT_IN_MANIFEST"),
                                when(not(col("on_disk")), "FILE_MISSING"),
                                when(
                                        both.and(
                                                not(col("manifest_record_count").eqNullSafe(col("file_record_count")))),
                                        "RECORD_COUNT"),
                                when(
                                        both.and(
                                                not(col("manifest_record_count").eqNullSafe(col("decrypted_count")))),
                                        "DECRYPTED_COUNT"),
                                when(both.and(not(col("manifest_fen").eqNullSafe(col("decrypted_fen")))), "AMOUNT"),
                                when(
                                        both.and(not(col("manifest_checksum").eqNullSafe(col("file_checksum")))),
                                        "CHECKSUM"),
                                when(both.and(not(col("manifest_key_ids").eqNullSafe(col("file_key_ids")))), "KEY_IDS"),
                                when(both.and(col("batch_mismatches").gt(0)), "BATCHES"),
                                when(
                                        both.and(col("manifest_slot_id").isNotNull())
                                                .and(not(col("manifest_slot_id").eqNullSafe(col("file_slot_id")))),
                                        "SLOT")))
                .withColumn("status", when(col("problems").equalTo(""), "OK").otherwise("MISMATCH"))
                .select(
                        "file_name",
                        "status",
                        "problems",
                        "manifest_slot_id",
                        "file_slot_id",
                        "shard",
                        "manifest_record_count",
                        "file_record_count",
                        "decrypted_count",
                        "manifest_fen",
                        "decrypted_fen",
                        "manifest_checksum",
                        "file_checksum",
                        "manifest_key_ids",
                        "file_key_ids",
                        "batch_mismatches",
                        "byte_size",
                        "in_manifest",
                        "on_disk");
    }

    public static final StructType DUPLICATES = new StructType()
            .add("envelope_id", DataTypes.LongType, false)
            .add("occurrences", DataTypes.IntegerType, false)
            .add("files", DataTypes.createArrayType(DataTypes.StringType, false), false);

    /** Check 3: envelope ids that occur more than once across all files, from the per-file id blobs. */
    public static Dataset<Row> envelopeIdUniqueness(SparkSession spark, Dataset<Row> idBlobs, int bucketBits) {
        JavaRDD<Row> rows = idBlobs.select("bucket", "file_name", "blob")
                .javaRDD()
                .mapToPair(r -> new Tuple2<>(r.getLong(0), new DuplicateIds.Blob(r.getString(1), (byte[]) r.get(2))))
                .groupByKey()
                .flatMap(group -> {
                    List<DuplicateIds.Blob> blobs = new ArrayList<>();
                    group._2().forEach(blobs::add);
                    List<Row> out = new ArrayList<>();
                    for (DuplicateIds.Duplicate d : DuplicateIds.find(group._1(), bucketBits, blobs)) {
                        out.add(RowFactory.create(
                                d.envelopeId(), d.occurrences(), d.files().toArray(String[]::new)));
                    }
                    return out.iterator();
                });
        return spark.createDataFrame(rows, DUPLICATES);
    }

    /** Credits per batch (as the credit names it) and hour: what finance compares with the plan per slot. */
    public static Dataset<Row> creditsByBatch(Dataset<Row> credits) {
        return credits.groupBy("batch_id", "hour")
                .agg(count(lit(1)).as("credits"), sum("amount_fen").as("credited_fen"));
    }

    /** Generated (decrypted) count and amount per sponsor, through the batch config. */
    public static Dataset<Row> generatedBySponsor(Dataset<Row> fileBatches, Dataset<Row> batches) {
        return fileBatches
                .join(batches.select("batch_id", "sponsor_id"), using("batch_id"))
                .groupBy("sponsor_id")
                .agg(sum("count").as("generated_count"), sum("amount_fen").as("generated_fen"));
    }

    /**
     * Check 6a: per sponsor and reason, the money that goes back to the sponsor. NEVER_OPENED is every generated
     * envelope no log mentions (the logs cannot tell an envelope never dispensed from one dispensed and not opened);
     * REJECTED are envelopes whose every open was rejected; UNALLOCATED_BUDGET is budget never turned into envelopes.
     */
    public static Dataset<Row> refunds(
            Dataset<Row> budget, Dataset<Row> generatedBySponsor, Dataset<Row> envelopeStatus) {
        Dataset<Row> paid = budget.groupBy("sponsor_id")
                .agg(min("sponsor_name").as("sponsor_name"), sum("funded_fen").as("budget_fen"));
        Dataset<Row> touched = envelopeStatus
                .where(col("sponsor_id").isNotNull())
                .groupBy("sponsor_id")
                .agg(
                        sum(when(col("status").equalTo(CREDITED), col("amount_fen"))
                                        .otherwise(0L))
                                .as("credited_gen_fen"),
                        sum(when(col("status").equalTo(CREDITED), 1L).otherwise(0L))
                                .as("credited_count"),
                        sum(when(col("status").equalTo(PENDING), col("amount_fen"))
                                        .otherwise(0L))
                                .as("pending_fen"),
                        sum(when(col("status").equalTo(PENDING), 1L).otherwise(0L))
                                .as("pending_count"),
                        sum(when(col("status").equalTo(REJECTED), col("amount_fen"))
                                        .otherwise(0L))
                                .as("rejected_fen"),
                        sum(when(col("status").equalTo(REJECTED), 1L).otherwise(0L))
                                .as("rejected_count"));
        Dataset<Row> base = paid.join(generatedBySponsor, using("sponsor_id"), "full_outer")
                .join(touched, using("sponsor_id"), "left");
        Dataset<Row> unallocated = base.select(
                col("sponsor_id"),
                col("sponsor_name"),
                lit(REFUND_UNALLOCATED_BUDGET).as("reason"),
                lit(0L).as("envelopes"),
                greatest(fen("budget_fen").minus(fen("generated_fen")), lit(0L)).as("amount_fen"));
        Dataset<Row> neverOpened = base.select(
                col("sponsor_id"),
                col("sponsor_name"),
                lit(REFUND_NEVER_OPENED).as("reason"),
                fen("generated_count")
                        .minus(fen("credited_count"))
                        .minus(fen("pending_count"))
                        .minus(fen("rejected_count"))
                        .as("envelopes"),
                fen("generated_fen")
                        .minus(fen("credited_gen_fen"))
                        .minus(fen("pending_fen"))
                        .minus(fen("rejected_fen"))
                        .as("amount_fen"));
        Dataset<Row> rejected = base.select(
                col("sponsor_id"),
                col("sponsor_name"),
                lit(REFUND_REJECTED).as("reason"),
                fen("rejected_count").as("envelopes"),
                fen("rejected_fen").as("amount_fen"));
        return unallocated.unionByName(neverOpened).unionByName(rejected);
    }

    /**
     * Check 6b: credited + refunds + pending == budget, per sponsor (scope SPONSOR) and in total (scope TOTAL).
     * Credited is every credit instruction's amount, attributed to the sponsor it debits, so forged, tampered and
     * duplicate credits break the equation by exactly their excess.
     */
    public static Dataset<Row> moneyEquation(
            Dataset<Row> budget, Dataset<Row> credits, Dataset<Row> refunds, Dataset<Row> envelopeStatus) {
        Dataset<Row> paid = budget.groupBy("sponsor_id").agg(sum("funded_fen").as("budget_fen"));
        Dataset<Row> credited =
                credits.groupBy("sponsor_id").agg(sum("amount_fen").as("credited_fen"));
        Dataset<Row> refunded =
                refunds.groupBy("sponsor_id").agg(sum("amount_fen").as("refund_fen"));
        Dataset<Row> pending = envelopeStatus
                .where(col("status").equalTo(PENDING).and(col("sponsor_id").isNotNull()))
                .groupBy("sponsor_id")
                .agg(sum("amount_fen").as("pending_fen"));
        Dataset<Row> perSponsor = paid.join(credited, using("sponsor_id"), "full_outer")
                .join(refunded, using("sponsor_id"), "full_outer")
                .join(pending, using("sponsor_id"), "full_outer")
                .select(
                        lit("SPONSOR").as("scope"),
                        col("sponsor_id"),
                        fen("budget_fen").as("budget_fen"),
                        fen("credited_fen").as("credited_fen"),
                        fen("refund_fen").as("refund_fen"),
                        fen("pending_fen").as("pending_fen"));
        Dataset<Row> total = perSponsor
                .agg(
                        sum("budget_fen").as("budget_fen"),
                        sum("credited_fen").as("credited_fen"),
                        sum("refund_fen").as("refund_fen"),
                        sum("pending_fen").as("pending_fen"))
                .select(
                        lit("TOTAL").as("scope"),
                        lit(null).cast("string").as("sponsor_id"),
                        fen("budget_fen").as("budget_fen"),
                        fen("credited_fen").as("credited_fen"),
                        fen("refund_fen").as("refund_fen"),
                        fen("pending_fen").as("pending_fen"));
        return perSponsor
                .unionByName(total)
                .withColumn(
                        "difference_fen",
                        col("credited_fen")
                                .plus(col("refund_fen"))
                                .plus(col("pending_fen"))
                                .minus(col("budget_fen")))
                .withColumn("holds", col("difference_fen").equalTo(0L));
    }
}
