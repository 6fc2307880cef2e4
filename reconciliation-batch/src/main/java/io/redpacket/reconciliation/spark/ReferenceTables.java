package io.redpacket.reconciliation.spark;

import static org.apache.spark.sql.types.DataTypes.*;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BatchSummary;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Generation's small Avro inputs as tables with snake_case columns (they go to the warehouse too, for joins). */
public final class ReferenceTables {
    private ReferenceTables() {}

    public static final StructType BUDGET = new StructType()
            .add("sponsor_id", StringType)
            .add("sponsor_name", StringType)
            .add("payment_order", StringType)
            .add("envelope_account", StringType)
            .add("funded_fen", LongType);
    public static final StructType ALLOCATIONS = new StructType()
            .add("slot_id", StringType)
            .add("slot_start_ms", LongType)
            .add("slot_end_ms", LongType)
            .add("sponsor_id", StringType)
            .add("type", StringType)
            .add("total_fen", LongType)
            .add("count", LongType)
            .add("min_fen", LongType)
            .add("max_fen", LongType)
            .add("channel", StringType);
    public static final StructType BATCHES = new StructType()
            .add("batch_id", IntegerType)
            .add("slot_id", StringType)
            .add("sponsor_id", StringType)
            .add("sponsor_name", StringType)
            .add("payment_order", StringType)
            .add("envelope_account", StringType)
            .add("type", StringType)
            .add("channel", StringType)
            .add("count", LongType)
            .add("total_fen", LongType)
            .add("min_fen", LongType)
            .add("max_fen", LongType)
            .add("first_envelope_id", LongType);
    public static final StructType MANIFESTS = new StructType()
            .add("file_name", StringType)
            .add("slot_id", StringType)
            .add("shard", IntegerType)
            .add("record_count", LongType)
            .add("amount_fen", LongType)
            .add("key_ids", createArrayType(IntegerType, false))
            .add("checksum", StringType);
    public static final StructType MANIFEST_BATCHES = new StructType()
            .add("file_name", StringType)
            .add("batch_id", IntegerType)
            .add("count", LongType)
            .add("amount_fen", LongType);

    public static Dataset<Row> budget(SparkSession spark, List<BudgetLine> lines) {
        List<Row> rows = new ArrayList<>();
        for (BudgetLine b : lines) {
            rows.add(RowFactory.create(
                    b.getSponsorId(),
                    b.getSponsorName(),
                    b.getPaymentOrder(),
                    b.getEnvelopeAccount(),
                    b.getFundedFen()));
        }
        return spark.createDataFrame(rows, BUDGET);
    }

    public static Dataset<Row> allocations(SparkSession spark, FundingPlan plan) {
        java.util.Map<String, io.redpacket.avro.Slot> slots = new java.util.HashMap<>();
        plan.getSlots().forEach(s -> slots.put(s.getSlotId(), s));
        List<Row> rows = new ArrayList<>();
        for (Allocation a : plan.getAllocations()) {
            io.redpacket.avro.Slot s = slots.get(a.getSlotId());
            rows.add(RowFactory.create(
                    a.getSlotId(),
                    s == null ? null : s.getStartMs(),
                    s == null ? null : s.getEndMs(),
                    a.getSponsorId(),
                    a.getType().name(),
                    a.getTotalFen(),
                    a.getCount(),
                    a.getMinFen(),
                    a.getMaxFen(),
                    a.getChannel()));
        }
        return spark.createDataFrame(rows, ALLOCATIONS);
    }

    public static Dataset<Row> batches(SparkSession spark, List<BatchConfig> batches) {
        List<Row> rows = new ArrayList<>();
        for (BatchConfig b : batches) {
            rows.add(RowFactory.create(
                    b.getBatchId(),
                    b.getSlotId(),
                    b.getSponsorId(),
                    b.getSponsorName(),
                    b.getPaymentOrder(),
                    b.getEnvelopeAccount(),
                    b.getType().name(),
                    b.getChannel(),
                    b.getCount(),
                    b.getTotalFen(),
                    b.getMinFen(),
                    b.getMaxFen(),
                    b.getFirstEnvelopeId()));
        }
        return spark.createDataFrame(rows, BATCHES);
    }

    public static Dataset<Row> manifests(SparkSession spark, List<FileManifest> manifests) {
        List<Row> rows = new ArrayList<>();
        for (FileManifest m : manifests) {
            Integer[] keys = m.getKeyIds().stream().sorted().toArray(Integer[]::new);
            rows.add(RowFactory.create(
                    m.getFileName(),
                    m.getSlotId(),
                    m.getShard(),
                    m.getRecordCount(),
                    m.getAmountFen(),
                    keys,
                    m.getChecksum()));
        }
        return spark.createDataFrame(rows, MANIFESTS);
    }

    public static Dataset<Row> manifestBatches(SparkSession spark, List<FileManifest> manifests) {
        List<Row> rows = new ArrayList<>();
        for (FileManifest m : manifests) {
            for (BatchSummary s : m.getBatches()) {
                rows.add(RowFactory.create(m.getFileName(), s.getBatchId(), s.getCount(), s.getAmountFen()));
            }
        }
        return spark.createDataFrame(rows, MANIFEST_BATCHES);
    }
}
