package io.redpacket.reconciliation.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.types.DataTypes.*;

import io.redpacket.avro.BatchConfig;
import io.redpacket.reconciliation.ledger.EnvelopeLedger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Check 5 and the envelope statuses in one shuffle: the generated records the logs may reference, the opens, the
 * rejects and the credits become narrow rows keyed by envelope id, hash-partitioned and sorted by it, and each
 * partition is streamed envelope by envelope through {@link EnvelopeLedger}. Joining the four inputs pairwise took
 * some twenty shuffles; this takes one, with memory bounded by one envelope's log lines.
 */
public final class EnvelopeMatching {
    private EnvelopeMatching() {}

    static final int GEN = 0;
    static final int OPEN = 1;
    static final int REJECT = 2;
    static final int CREDIT = 3;

    public static final String ROW_STATUS = "STATUS";
    public static final String ROW_DISCREPANCY = "DISCREPANCY";
    /** Open events counted per (batch, generated, outcome, reason) in one partition; summed by {@link #opensByOutcome}. */
    public static final String ROW_OPEN_TALLY = "OPEN_TALLY";

    public static final StructType OUT = new StructType()
            .add("row_kind", StringType, false)
            .add("status", StringType)
            .add("type", StringType)
            .add("hour", StringType)
            .add("envelope_id", LongType)
            .add("credit_id", StringType)
            .add("open_event_id", StringType)
            .add("user_id", StringType)
            .add("sponsor_id", StringType)
            .add("batch_id", IntegerType)
            .add("slot_id", StringType)
            .add("amount_fen", LongType)
            .add("generated_batch_id", IntegerType)
            .add("generated_sponsor_id", StringType)
            .add("generated_amount_fen", LongType)
            .add("excess_fen", LongType)
            .add("detail", StringType)
            .add("generated", BooleanType)
            .add("open_events", LongType)
            .add("deliveries", LongType)
            .add("redelivered_events", LongType);

    /** Status, discrepancy and open-tally rows, told apart by {@code row_kind}. */
    public static Dataset<Row> match(
            SparkSession spark,
            Dataset<Row> referenced,
            List<BatchConfig> batches,
            SettlementLogs logs,
            int partitions) {
        Dataset<Row> rejectsWithEnvelope = logs.rejects()
                .where(col("envelope_id").isNotNull())
                .select(col("envelope_id"), col("open_event_id"), col("reason"))
                // a reject that names no envelope is attributed through its open event (once, however often it was
                // delivered)
                .union(logs.rejects()
                        .where(col("envelope_id").isNull())
                        .select("open_event_id", "reason")
                        .join(
                                logs.opens()
                                        .select(col("event_id").as("open_event_id"), col("envelope_id"))
                                        .distinct(),
                                "open_event_id")
                        .where(col("envelope_id").isNotNull())
                        .select("envelope_id", "open_event_id", "reason"));
        Column nullString = lit(null).cast(StringType);
        Column nullLong = lit(null).cast(LongType);
        Dataset<Row> rows = referenced
                .select(
                        col("envelope_id"),
                        lit(GEN).as("kind"),
                        col("amount_fen"),
                        col("batch_id"),
                        nullString.as("sponsor_id"),
                        nullString.as("event_id"),
                        nullString.as("credit_id"),
                        nullString.as("user_id"),
                        nullLong.as("time_ms"),
                        nullString.as("hour"))
                .union(logs.opens()
                        .where(col("envelope_id").isNotNull())
                        .select(
                                col("envelope_id"),
                                lit(OPEN),
                                col("amount_fen"),
                                col("batch_id"),
                                nullString,
                                col("event_id"),
                                nullString,
                                col("user_id"),
                                col("open_time_ms"),
                                col("hour")))
                .union(rejectsWithEnvelope.select(
                        col("envelope_id"),
                        lit(REJECT),
                        nullLong,
                        lit(null).cast(IntegerType),
                        nullString,
                        col("open_event_id"),
                        col("reason"),
                        nullString,
                        nullLong,
                        nullString))
                .union(logs.credits()
                        .where(col("envelope_id").isNotNull())
                        .select(
                                col("envelope_id"),
                                lit(CREDIT),
                                col("amount_fen"),
                                col("batch_id"),
                                col("sponsor_id"),
                                col("open_event_id"),
                                col("credit_id"),
                                col("user_id"),
                                col("credit_time_ms"),
                                col("hour")))
                .repartition(partitions, col("envelope_id"))
                .sortWithinPartitions("envelope_id", "kind");
        Map<Integer, String[]> batchInfo = new HashMap<>();
        batches.forEach(b -> batchInfo.put(b.getBatchId(), new String[] {b.getSponsorId(), b.getSlotId()}));
        Broadcast<Map<Integer, String[]>> info =
                JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(batchInfo);
        JavaRDD<Row> out = rows.javaRDD().mapPartitions(it -> ledger(it, info.value()));
        return spark.createDataFrame(out, OUT);
    }

    private static Iterator<Row> ledger(Iterator<Row> sorted, Map<Integer, String[]> batches) {
        return new Iterator<>() {
            private final EnvelopeLedger ledger = new EnvelopeLedger();
            private final OpenTally tally = new OpenTally();
            private final List<Row> ready = new ArrayList<>();
            private int next;
            private Row pending = sorted.hasNext() ? sorted.next() : null;
            private boolean tallied;

            @Override
            public boolean hasNext() {
                while (next >= ready.size() && pending != null) {
                    ready.clear();
                    next = 0;
                    long id = pending.getLong(0);
                    ledger.reset(id);
                    while (pending != null && pending.getLong(0) == id) {
                        add(pending);
                        pending = sorted.hasNext() ? sorted.next() : null;
                    }
                    emit(id);
                }
                if (next >= ready.size() && !tallied) {
                    tallied = true;
                    ready.clear();
                    next = 0;
                    ready.addAll(tally.rows());
                }
                return next < ready.size();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return ready.get(next++);
            }

            private void add(Row r) {
                switch (r.getInt(1)) {
                    case GEN -> {
                        String[] b = batches.get(r.getInt(3));
                        ledger.generated(new EnvelopeLedger.Generated(
                                r.getLong(2), r.getInt(3), b == null ? null : b[0], b == null ? null : b[1]));
                    }
                    case OPEN ->
                        ledger.open(new EnvelopeLedger.Open(
                                r.getString(5),
                                r.getString(7),
                                r.getLong(8),
                                r.getString(9),
                                r.isNullAt(2) ? null : r.getLong(2),
                                r.isNullAt(3) ? null : r.getInt(3)));
                    case REJECT -> ledger.reject(r.getString(5), r.getString(6));
                    default ->
                        ledger.credit(new EnvelopeLedger.Credit(
                                r.getString(6),
                                r.getString(5),
                                r.getString(7),
                                r.getLong(2),
                                r.isNullAt(3) ? null : r.getInt(3),
                                r.getString(4),
                                r.getLong(8),
                                r.getString(9)));
                }
            }

            private void emit(long id) {
                EnvelopeLedger.Verdict v = ledger.verdict();
                EnvelopeLedger.Generated g = ledger.generated();
                if (v.status() != null) {
                    ready.add(RowFactory.create(
                            ROW_STATUS,
                            v.status(),
                            null,
                            null,
                            id,
                            null,
                            null,
                            null,
                            g.sponsorId(),
                            g.batchId(),
                            g.slotId(),
                            g.amountFen(),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null));
                }
                for (EnvelopeLedger.Discrepancy d : v.discrepancies()) {
                    ready.add(RowFactory.create(
                            ROW_DISCREPANCY,
                            null,
                            d.type(),
                            d.hour(),
                            id,
                            d.creditId(),
                            d.openEventId(),
                            d.userId(),
                            d.sponsorId(),
                            d.batchId(),
                            null,
                            d.amountFen(),
                            d.generatedBatchId(),
                            d.generatedSponsorId(),
                            d.generatedAmountFen(),
                            d.excessFen(),
                            d.detail(),
                            null,
                            null,
                            null,
                            null));
                }
                v.events().forEach(tally::add);
            }
        };
    }

    /** Open events of one partition counted per (batch, generated, outcome, reason): a few rows, however many events. */
    private static final class OpenTally {
        private final Map<List<Object>, long[]> counts = new HashMap<>();

        void add(EnvelopeLedger.EventOutcome e) {
            long[] c = counts.computeIfAbsent(
                    java.util.Arrays.asList(e.batchId(), e.generated(), e.outcome(), e.reason()), k -> new long[3]);
            c[0]++;
            c[1] += e.deliveries();
            c[2] += e.deliveries() > 1 ? 1 : 0;
        }

        List<Row> rows() {
            List<Row> out = new ArrayList<>();
            counts.forEach((k, c) -> out.add(RowFactory.create(
                    ROW_OPEN_TALLY,
                    k.get(2),
                    k.get(3),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    k.get(0),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    k.get(1),
                    c[0],
                    c[1],
                    c[2])));
            return out;
        }
    }

    public static Dataset<Row> envelopeStatus(Dataset<Row> matched) {
        return matched.where(col("row_kind").equalTo(ROW_STATUS))
                .select("envelope_id", "batch_id", "sponsor_id", "slot_id", "amount_fen", "status");
    }

    /**
     * Open events (an event id counts once however often it was delivered) per batch and outcome: CREDITED (a credit
     * names it), ACCEPTED (let through, no credit names it yet), REJECTED with its reason. {@code deliveries} counts
     * open-log rows; {@code redelivered_events} the events delivered more than once.
     */
    public static Dataset<Row> opensByOutcome(Dataset<Row> matched) {
        return matched.where(col("row_kind").equalTo(ROW_OPEN_TALLY))
                .groupBy(
                        col("batch_id"),
                        col("generated"),
                        col("status").as("outcome"),
                        col("type").as("reason"))
                .agg(
                        org.apache.spark.sql.functions.sum("open_events").as("open_events"),
                        org.apache.spark.sql.functions.sum("deliveries").as("deliveries"),
                        org.apache.spark.sql.functions.sum("redelivered_events").as("redelivered_events"));
    }

    public static Dataset<Row> creditDiscrepancies(Dataset<Row> matched) {
        return matched.where(col("row_kind").equalTo(ROW_DISCREPANCY))
                .select(
                        "type",
                        "hour",
                        "envelope_id",
                        "credit_id",
                        "open_event_id",
                        "user_id",
                        "sponsor_id",
                        "batch_id",
                        "amount_fen",
                        "generated_batch_id",
                        "generated_sponsor_id",
                        "generated_amount_fen",
                        "excess_fen",
                        "detail");
    }
}
