package io.redpacket.generation.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.udf;

import io.redpacket.avro.BatchConfig;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.SealingKeys;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The way one would first write this job in Spark, as the benchmark's baseline: one row per envelope exploded from
 * each batch, a random amount per row with {@code rand()} (it does not even hit the total exactly), a global
 * {@code orderBy(rand())} for the shuffle, a per-row sealing UDF, and Parquet output partitioned by slot.
 */
public final class NaiveBaseline {
    private NaiveBaseline() {}

    /** Runs the baseline over the batches and returns the number of envelopes written. */
    public static long run(
            SparkSession spark, List<BatchConfig> batches, SealingKeys keys, int keyCount, String out, long seed) {
        StructType schema = new StructType()
                .add("batchId", DataTypes.IntegerType)
                .add("slotId", DataTypes.StringType)
                .add("firstId", DataTypes.LongType)
                .add("count", DataTypes.LongType)
                .add("lo", DataTypes.LongType)
                .add("width", DataTypes.LongType);
        List<Row> rows = new ArrayList<>();
        for (BatchConfig b : batches) {
            long mean = b.getTotalFen() / b.getCount();
            long half = Math.min(mean - b.getMinFen(), b.getMaxFen() - mean);
            rows.add(RowFactory.create(
                    b.getBatchId(), b.getSlotId(), b.getFirstEnvelopeId(), b.getCount(), mean - half, 2 * half + 1));
        }
        Broadcast<SealingKeys> sealing =
                spark.sparkContext().broadcast(keys, scala.reflect.ClassTag$.MODULE$.apply(SealingKeys.class));
        UserDefinedFunction seal = udf(
                (UDF3<Long, Long, Integer, byte[]>) (id, amount, batch) -> {
                    byte[] rec = new byte[EnvelopeLayout.RECORD_BYTES];
                    Sealer.get(sealing.value()).seal(id, amount, batch, 1 + (int) (id % keyCount), rec, 0);
                    return rec;
                },
                DataTypes.BinaryType);
        Dataset<Row> envelopes = spark.createDataFrame(rows, schema)
                .withColumn("i", explode(sequence(lit(0L), col("count").minus(1))))
                .withColumn("envelopeId", col("firstId").plus(col("i")))
                .withColumn(
                        "amount",
                        col("lo").plus(floor(rand(seed).multiply(col("width")))).cast("long"))
                .orderBy(rand(seed + 1))
                .withColumn("record", seal.apply(col("envelopeId"), col("amount"), col("batchId")))
                .select("slotId", "record");
        envelopes.write().partitionBy("slotId").parquet(out);
        return batches.stream().mapToLong(BatchConfig::getCount).sum();
    }

    /** One sealer per executor thread, as a UDF author would cache it. */
    private static final class Sealer {
        private static final ThreadLocal<TicketSealer> LOCAL = new ThreadLocal<>();

        static TicketSealer get(SealingKeys keys) {
            TicketSealer s = LOCAL.get();
            if (s == null) {
                KeyRing ring = keys.toRing();
                s = new TicketSealer(ring);
                LOCAL.set(s);
            }
            return s;
        }
    }
}
