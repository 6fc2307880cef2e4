package io.redpacket.reconciliation.bench;

import io.redpacket.io.CampaignLayout;
import io.redpacket.testkit.GeneratedCampaign;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The benchmark campaign and its settlement logs. The campaign is made by the real generator (testkit's
 * {@link GeneratedCampaign}): 4 one-hour slots x 8 sponsors = 32 batches, 16 files per slot, amounts 100..20,000 fen,
 * one key per file. The logs are written by Spark SQL over the truth read back from the
 * files (every record decrypted): every 10th envelope opened and credited, 1 in 1000 pending, 1 in 1000 rejected,
 * plus planted forged, tampered and duplicate credits.
 */
public final class BenchLogs {
    public static final String PASSWORD = "bench-password";
    public static final int SLOTS = 4;
    public static final int SPONSORS = 8;
    public static final int FILES_PER_SLOT = 16;
    public static final long MIN_FEN = 100;
    public static final long MAX_FEN = 20_000;
    public static final long T0 = 1_771_272_000_000L; // 2026-02-16T20:00Z
    private static final int TRUTH_CHUNK = 1 << 20;
    /**
     * Money per ticket key: large, so each file has one key (64 keys, as a campaign of this size would have at a
     * realistic cap only with ~40,000 keys, whose key store derivations would dominate the data's making).
     */
    static final long BENCH_KEY_CAP_FEN = 1L << 50;

    private BenchLogs() {}

    /** Generates {@code envelopes} (a multiple of 32) into {@code variantDir} with the real generator. */
    public static GeneratedCampaign generate(Path variantDir, long envelopes) throws IOException {
        long perBatch = envelopes / (SLOTS * SPONSORS);
        if (perBatch * SLOTS * SPONSORS != envelopes) {
            throw new IllegalArgumentException("envelopes must be a multiple of " + SLOTS * SPONSORS);
        }
        List<GeneratedCampaign.Line> lines = new ArrayList<>();
        for (int sp = 1; sp <= SPONSORS; sp++) {
            lines.add(new GeneratedCampaign.Line("sp-" + sp, "cash", Math.toIntExact(perBatch), MIN_FEN, MAX_FEN));
        }
        return GeneratedCampaign.builder()
                .campaignId("bench")
                .seed(7)
                .slots(SLOTS)
                .slotMs(3_600_000)
                .startMs(T0)
                .lines(lines)
                .shards(FILES_PER_SLOT)
                .keyCapFen(BENCH_KEY_CAP_FEN)
                .password(PASSWORD.toCharArray())
                .build(variantDir);
    }

    /** The truth as a Parquet table (envelopeId, amountFen, batchId, keyId), written in chunks: memory bounded. */
    static void writeTruth(SparkSession spark, GeneratedCampaign c, Path dir) throws IOException {
        StructType schema = new StructType()
                .add("envelopeId", DataTypes.LongType, false)
                .add("amountFen", DataTypes.LongType, false)
                .add("batchId", DataTypes.IntegerType, false)
                .add("keyId", DataTypes.IntegerType, false);
        List<Row> chunk = new ArrayList<>(TRUTH_CHUNK);
        c.forEachEnvelope((id, amount, batch, key) -> {
            chunk.add(RowFactory.create(id, amount, batch, key));
            if (chunk.size() == TRUTH_CHUNK) {
                spark.createDataFrame(chunk, schema)
                        .write()
                        .mode(SaveMode.Append)
                        .parquet(dir.toString());
                chunk.clear();
            }
        });
        if (!chunk.isEmpty() || c.envelopeCount() == 0) {
            spark.createDataFrame(chunk, schema).write().mode(SaveMode.Append).parquet(dir.toString());
        }
    }

    /**
     * Settlement logs for the campaign: opens, rejects, credits as Parquet partitioned by hour, amounts from the
     * truth. Credited: ids divisible by 10. Pending: id % 1000 == 1. Rejected: id % 1000 == 3. Planted: 20 forged
     * credits (ids past the end), tampered (+1 fen) where id % 1,000,000 == 0, duplicate credits where
     * id % 1,000,000 == 10.
     */
    public static void writeLogs(SparkSession spark, GeneratedCampaign c, Path truthDir, Path dir) throws IOException {
        long envelopes = c.envelopeCount();
        writeTruth(spark, c, truthDir);
        spark.conf().set("spark.sql.session.timeZone", "UTC");
        Dataset<Row> truth = spark.read()
                .parquet(truthDir.toString())
                .selectExpr("envelopeId AS id", "amountFen AS amount", "batchId AS batch", "keyId AS key");
        Dataset<Row> forged = spark.range(envelopes, envelopes + 20)
                .selectExpr(
                        "id",
                        "CAST(" + MIN_FEN + " AS BIGINT) AS amount",
                        "CAST(" + SLOTS * SPONSORS + " AS INT) AS batch",
                        "CAST(1 AS INT) AS key");
        String openTime = T0 + " + (id % 14400000)";
        Dataset<Row> openIds =
                truth.where("id % 10 = 0 OR id % 1000 = 1 OR id % 1000 = 3").unionByName(forged);
        Dataset<Row> opens = openIds.selectExpr(
                "concat('ev-', id) AS eventId",
                "concat('tok-', id) AS token",
                "concat('u', id % 1000003) AS userId",
                "'dev' AS deviceId",
                "'10.0.0.1' AS ip",
                "'8.0' AS clientVersion",
                "CAST(id % 64 AS INT) AS edgeId",
                openTime + " - 1000 AS shakeTimeMs",
                openTime + " AS openTimeMs",
                "id AS envelopeId",
                "amount AS amountFen",
                "batch AS batchId",
                "key AS keyId");
        Dataset<Row> rejects = truth.where("id % 1000 = 3")
                .selectExpr(
                        "concat('ev-', id) AS openEventId",
                        "'USER_CAP' AS reason",
                        "'' AS detail",
                        "concat('u', id % 1000003) AS userId",
                        "'dev' AS deviceId",
                        "'10.0.0.1' AS ip",
                        "CAST(id % 64 AS INT) AS edgeId",
                        "id AS envelopeId",
                        "amount AS amountFen",
                        "batch AS batchId",
                        "key AS keyId",
                        openTime + " AS openTimeMs",
                        openTime + " + 5 AS rejectTimeMs");
        Dataset<Row> creditIds = truth.where("id % 10 = 0")
                .selectExpr("*", "0 AS dup")
                .unionByName(truth.where("id % 1000000 = 10").selectExpr("*", "1 AS dup"))
                .unionByName(forged.selectExpr("*", "0 AS dup"));
        Dataset<Row> credits = creditIds.selectExpr(
                "concat('cr-', id, '-', dup) AS creditId",
                "id AS envelopeId",
                "concat('u', id % 1000003) AS userId",
                "amount + CASE WHEN id % 1000000 = 0 THEN 1 ELSE 0 END AS amountFen",
                "batch AS batchId",
                "concat('sp-', (batch - 1) % " + SPONSORS + " + 1) AS sponsorId",
                "concat('acct-sp-', (batch - 1) % " + SPONSORS + " + 1) AS envelopeAccount",
                "'cash' AS channel",
                "concat('ev-', id) AS openEventId",
                "CAST(id % 64 AS INT) AS edgeId",
                openTime + " AS openTimeMs",
                openTime + " + 1000 + dup AS creditTimeMs");
        String hour = "date_format(timestamp_millis(openTimeMs), 'yyyy-MM-dd-HH') AS hour";
        opens.selectExpr("*", hour)
                .write()
                .partitionBy("hour")
                .parquet(dir.resolve(CampaignLayout.OPEN_LOG).toString());
        rejects.selectExpr("*", hour)
                .write()
                .partitionBy("hour")
                .parquet(dir.resolve(CampaignLayout.REJECT_LOG).toString());
        credits.selectExpr("*", hour)
                .write()
                .partitionBy("hour")
                .parquet(dir.resolve(CampaignLayout.CREDIT_LOG).toString());
    }
}
