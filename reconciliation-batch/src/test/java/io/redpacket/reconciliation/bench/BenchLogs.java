package io.redpacket.reconciliation.bench;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BatchSummary;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.EnvelopeType;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A benchmark campaign, laid out exactly as generation writes one: 4 slots x 8 sponsors = 32 batches, 16 files per
 * slot, 64 ticket keys; every record really sealed. Amounts are a deterministic function of the envelope id
 * ({@link #amount}), so the settlement logs can be generated in Spark SQL with matching amounts. Files hold every
 * 16th id of their slot (the shuffle's effect on id gaps, without its cost). Logs: every 10th envelope opened and
 * credited, 1 in 1000 pending, 1 in 1000 rejected, plus planted forged, tampered and duplicate credits.
 */
public final class BenchData {
    public static final String PASSWORD = "bench-password";
    public static final int SLOTS = 4;
    public static final int SPONSORS = 8;
    public static final int FILES_PER_SLOT = 16;
    public static final int KEYS = 64;
    public static final long MIN_FEN = 100;
    public static final long MAX_FEN = 20_000;
    public static final long T0 = 1_771_272_000_000L; // 2026-02-16T20:00Z
    private static final int CHUNK = 16_384;

    private BenchData() {}

    public static long amount(long id) {
        return MIN_FEN + ((id * 48_271L) % 2_147_483_647L) % (MAX_FEN - MIN_FEN + 1);
    }

    /** Spark SQL of {@link #amount} over a column of envelope ids. */
    static String amountSql(String id) {
        return "(" + MIN_FEN + " + ((" + id + " * 48271) % 2147483647) % " + (MAX_FEN - MIN_FEN + 1) + ")";
    }

    /** Writes generation output for {@code envelopes} records (a multiple of 32) under {@code variantDir}. */
    public static void generate(Path variantDir, long envelopes, int threads) throws Exception {
        long perBatch = envelopes / (SLOTS * SPONSORS);
        if (perBatch * SLOTS * SPONSORS != envelopes) {
            throw new IllegalArgumentException("envelopes must be a multiple of " + SLOTS * SPONSORS);
        }
        Files.createDirectories(variantDir.resolve(CampaignLayout.KEYS_DIR));
        KeyRing ring = KeyRing.generate(KEYS, new SecureRandom());
        KeyRingStore.save(ring, CampaignLayout.openRing(variantDir), PASSWORD.toCharArray(), 1_000);

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<FileManifest>> files = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            for (int shard = 0; shard < FILES_PER_SLOT; shard++) {
                int s = slot;
                int f = shard;
                files.add(pool.submit(() -> writeFile(variantDir, ring, s, f, perBatch)));
            }
        }
        List<FileManifest> manifests = new ArrayList<>();
        long[] batchTotals = new long[SLOTS * SPONSORS + 1];
        for (Future<FileManifest> f : files) {
            FileManifest m = f.get();
            manifests.add(m);
            for (BatchSummary b : m.getBatches()) {
                batchTotals[b.getBatchId()] += b.getAmountFen();
            }
        }
        pool.shutdown();

        List<Slot> slots = new ArrayList<>();
        List<Allocation> allocations = new ArrayList<>();
        List<BatchConfig> batches = new ArrayList<>();
        long[] funded = new long[SPONSORS];
        for (int slot = 0; slot < SLOTS; slot++) {
            slots.add(new Slot(slotId(slot), T0 + slot * 3_600_000L, T0 + (slot + 1) * 3_600_000L));
            for (int sp = 0; sp < SPONSORS; sp++) {
                int batchId = slot * SPONSORS + sp + 1;
                long total = batchTotals[batchId];
                allocations.add(new Allocation(slotId(slot), sponsorId(sp), EnvelopeType.PICTURE, total, perBatch, MIN_FEN, MAX_FEN, "cash"));
                batches.add(new BatchConfig(batchId, "bench", "A", slotId(slot), sponsorId(sp), "Sponsor " + sp, "po-" + sp,
                        "acct-" + sp, EnvelopeType.PICTURE, "cash", perBatch, total, MIN_FEN, MAX_FEN, (batchId - 1) * perBatch));
                funded[sp] += total;
            }
        }
        List<BudgetLine> budget = new ArrayList<>();
        for (int sp = 0; sp < SPONSORS; sp++) {
            budget.add(new BudgetLine(sponsorId(sp), "Sponsor " + sp, "po-" + sp, "acct-" + sp, funded[sp]));
        }
        AvroFiles.writeAll(variantDir.resolve(CampaignLayout.BUDGET), budget, BudgetLine.getClassSchema());
        AvroFiles.writeAll(variantDir.resolve(CampaignLayout.PLAN), List.of(new FundingPlan("bench", "A", slots, allocations)), FundingPlan.getClassSchema());
        AvroFiles.writeAll(variantDir.resolve(CampaignLayout.BATCHES), batches, BatchConfig.getClassSchema());
        AvroFiles.writeAll(variantDir.resolve(CampaignLayout.MANIFESTS), manifests, FileManifest.getClassSchema());
        KeyRingStore.save(ring.tokenOnly(), CampaignLayout.tokenRing(variantDir), PASSWORD.toCharArray(), 1_000);
        // Committed last, as generation commits a variant; the envelope files' checksums are their manifests'.
        java.util.Map<String, String> sums = new java.util.HashMap<>();
        manifests.forEach(m -> sums.put(m.getFileName(), m.getChecksum()));
        java.net.URI dir = io.redpacket.io.Locations.canonical(variantDir.toAbsolutePath().toUri());
        io.redpacket.avro.VariantCommit commit = io.redpacket.io.GeneratedVariant.commitOf(io.redpacket.io.LocalFileStore.INSTANCE, dir,
                "bench", "A", sums, T0);
        AvroFiles.writeAll(variantDir.resolve(CampaignLayout.COMMIT), List.of(commit), io.redpacket.avro.VariantCommit.getClassSchema());
    }

    static String slotId(int slot) {
        return "s" + (slot + 1);
    }

    static String sponsorId(int sp) {
        return "sp-" + (sp + 1);
    }

    private static FileManifest writeFile(Path variantDir, KeyRing ring, int slot, int shard, long perBatch) throws IOException {
        String name = CampaignLayout.envelopeFile(slotId(slot), shard);
        Path path = variantDir.resolve(name);
        Files.createDirectories(path.getParent());
        TicketSealer sealer = new TicketSealer(ring);
        MessageDigest sha = EnvelopeFiles.sha256();
        long slotFirst = (long) slot * SPONSORS * perBatch;
        long slotCount = SPONSORS * perBatch;
        long[] ids = new long[CHUNK];
        long[] amounts = new long[CHUNK];
        int[] batchIds = new int[CHUNK];
        byte[] out = new byte[CHUNK * EnvelopeLayout.RECORD_BYTES];
        TreeMap<Integer, long[]> perBatchTotals = new TreeMap<>();
        java.util.TreeSet<Integer> keys = new java.util.TreeSet<>();
        long records = 0;
        long amountTotal = 0;
        int chunkNo = 0;
        try (OutputStream os = Files.newOutputStream(path)) {
            long offset = shard;
            while (offset < slotCount) {
                int n = 0;
                while (n < CHUNK && offset < slotCount) {
                    long id = slotFirst + offset;
                    ids[n] = id;
                    amounts[n] = amount(id);
                    batchIds[n] = (int) (id / perBatch) + 1;
                    long[] t = perBatchTotals.computeIfAbsent(batchIds[n], k -> new long[2]);
                    t[0]++;
                    t[1] += amounts[n];
                    amountTotal += amounts[n];
                    n++;
                    offset += FILES_PER_SLOT;
                }
                int keyId = 1 + (slot * 1_000 + shard * 100 + chunkNo++) % KEYS;
                keys.add(keyId);
                sealer.sealBulk(keyId, ids, amounts, batchIds, 0, n, out, 0);
                int bytes = n * EnvelopeLayout.RECORD_BYTES;
                sha.update(out, 0, bytes);
                os.write(out, 0, bytes);
                records += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<BatchSummary> summaries = new ArrayList<>();
        perBatchTotals.forEach((b, t) -> summaries.add(new BatchSummary(b, t[0], t[1])));
        return new FileManifest("bench", "A", slotId(slot), shard, name, records, amountTotal, new ArrayList<>(keys), summaries,
                EnvelopeFiles.format(sha.digest()));
    }

    /**
     * Settlement logs for a campaign of {@code envelopes}: opens, rejects, credits as Parquet partitioned by hour.
     * Credited: ids divisible by 10 ({@code envelopes / 10} credits). Pending: id % 1000 == 1. Rejected: id % 1000 == 3.
     * Planted: 20 forged credits (ids past the end), tampered (+1 fen) where id % 1,000,000 == 0, duplicate credits
     * where id % 1,000,000 == 10.
     */
    public static void writeLogs(SparkSession spark, Path dir, long envelopes) {
        long perBatch = envelopes / (SLOTS * SPONSORS);
        spark.conf().set("spark.sql.session.timeZone", "UTC");
        String batch = "(CAST(id / " + perBatch + " AS INT) + 1)";
        String envelopeCol = "CAST(id AS BIGINT) AS envelopeId";
        String amountCol = amountSql("id") + " AS amountFen";
        String batchCol = batch + " AS batchId";
        String openTime = T0 + " + (id % 14400000)";
        Dataset<Row> openIds = spark.range(0, envelopes).where("id % 10 = 0 OR id % 1000 = 1 OR id % 1000 = 3").toDF()
                .union(spark.range(envelopes, envelopes + 20).toDF());
        Dataset<Row> opens = openIds.selectExpr("concat('ev-', id) AS eventId", "concat('tok-', id) AS token",
                "concat('u', id % 1000003) AS userId", "'dev' AS deviceId", "'10.0.0.1' AS ip", "'8.0' AS clientVersion",
                "CAST(id % 64 AS INT) AS edgeId", openTime + " - 1000 AS shakeTimeMs", openTime + " AS openTimeMs", envelopeCol, amountCol, batchCol,
                "CAST(1 AS INT) AS keyId");
        Dataset<Row> rejects = spark.range(0, envelopes).where("id % 1000 = 3").selectExpr("concat('ev-', id) AS openEventId",
                "'USER_CAP' AS reason", "'' AS detail", "concat('u', id % 1000003) AS userId", "'dev' AS deviceId", "'10.0.0.1' AS ip",
                "CAST(id % 64 AS INT) AS edgeId", envelopeCol, amountCol, batchCol, "CAST(1 AS INT) AS keyId", openTime + " AS openTimeMs",
                openTime + " + 5 AS rejectTimeMs");
        Dataset<Row> creditIds = spark.range(0, envelopes).where("id % 10 = 0").selectExpr("id", "0 AS dup")
                .union(spark.range(0, envelopes).where("id % 1000000 = 10").selectExpr("id", "1 AS dup"))
                .union(spark.range(envelopes, envelopes + 20).selectExpr("id", "0 AS dup"));
        Dataset<Row> credits = creditIds.selectExpr("concat('cr-', id, '-', dup) AS creditId", "CAST(id AS BIGINT) AS envelopeId",
                "concat('u', id % 1000003) AS userId",
                amountSql("id") + " + CASE WHEN id % 1000000 = 0 THEN 1 ELSE 0 END AS amountFen",
                "CAST(least(" + batch + ", " + SLOTS * SPONSORS + ") AS INT) AS batchId",
                "concat('sp-', (least(" + batch + ", " + SLOTS * SPONSORS + ") - 1) % " + SPONSORS + " + 1) AS sponsorId",
                "concat('acct-', id % 8) AS envelopeAccount", "'cash' AS channel", "concat('ev-', id) AS openEventId",
                "CAST(id % 64 AS INT) AS edgeId", openTime + " AS openTimeMs", openTime + " + 1000 + dup AS creditTimeMs");
        String hour = "date_format(timestamp_millis(openTimeMs), 'yyyy-MM-dd-HH') AS hour";
        opens.selectExpr("*", hour).write().partitionBy("hour").parquet(dir.resolve(CampaignLayout.OPEN_LOG).toString());
        rejects.selectExpr("*", hour).write().partitionBy("hour").parquet(dir.resolve(CampaignLayout.REJECT_LOG).toString());
        credits.selectExpr("*", hour).write().partitionBy("hour").parquet(dir.resolve(CampaignLayout.CREDIT_LOG).toString());
    }
}
