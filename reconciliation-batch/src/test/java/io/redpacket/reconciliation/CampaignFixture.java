package io.redpacket.reconciliation;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BatchSummary;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.EnvelopeType;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.avro.Slot;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A small campaign written exactly as generation-batch lays it out (CampaignLayout, real sealed records, real
 * manifests and checksums), and settlement logs written as Parquet partitioned by hour. Deterministic per seed.
 */
public final class CampaignFixture {
    public static final String PASSWORD = "fixture-password";
    public static final String CAMPAIGN = "cny-test";
    public static final String VARIANT = "A";
    public static final long T0 = Instant.parse("2026-02-16T20:00:00Z").toEpochMilli();
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH").withZone(ZoneOffset.UTC);

    /** One generated envelope, as sealed into a file. */
    public record Envelope(long envelopeId, long amountFen, int batchId, int keyId, String fileName) {}

    public final Path variantDir;
    public final KeyRing ring;
    public final List<BudgetLine> budget = new ArrayList<>();
    public final List<BatchConfig> batches = new ArrayList<>();
    public final List<FileManifest> manifests = new ArrayList<>();
    public final List<Envelope> envelopes = new ArrayList<>();
    public FundingPlan plan;

    private CampaignFixture(Path variantDir, KeyRing ring) {
        this.variantDir = variantDir;
        this.ring = ring;
    }

    /**
     * Two slots x two sponsors, {@code perBatch} envelopes per batch, two shards per slot.
     * Budget = script = batches, exactly.
     */
    public static CampaignFixture generate(Path root, long seed, int perBatch) throws IOException {
        Random random = new Random(seed);
        Path dir = CampaignLayout.variantDir(root, VARIANT);
        CampaignFixture f = new CampaignFixture(dir, KeyRing.generate(3, new SecureRandom()));
        Files.createDirectories(dir.resolve(CampaignLayout.KEYS_DIR));
        KeyRingStore.save(f.ring, CampaignLayout.openRing(dir), PASSWORD.toCharArray(), 1_000);

        List<Slot> slots = List.of(new Slot("s1", T0, T0 + 3_600_000L), new Slot("s2", T0 + 3_600_000L, T0 + 7_200_000L));
        String[] sponsors = {"sp-a", "sp-b"};
        List<Allocation> allocations = new ArrayList<>();
        Map<String, Long> funded = new LinkedHashMap<>();
        long nextId = 1_000;
        int batchId = 1;
        for (Slot slot : slots) {
            for (String sponsor : sponsors) {
                long min = 100;
                long max = 2_000;
                long total = perBatch * 500L + random.nextInt(perBatch * 100);
                allocations.add(new Allocation(slot.getSlotId(), sponsor, EnvelopeType.PICTURE, total, (long) perBatch, min, max, "cash"));
                f.batches.add(new BatchConfig(batchId, CAMPAIGN, VARIANT, slot.getSlotId(), sponsor, "Sponsor " + sponsor,
                        "po-" + sponsor, "acct-" + sponsor, EnvelopeType.PICTURE, "cash", (long) perBatch, total, min, max, nextId));
                funded.merge(sponsor, total, Long::sum);
                nextId += perBatch + 10;
                batchId++;
            }
        }
        funded.forEach((sponsor, fen) -> f.budget.add(new BudgetLine(sponsor, "Sponsor " + sponsor, "po-" + sponsor, "acct-" + sponsor, fen)));
        f.plan = new FundingPlan(CAMPAIGN, VARIANT, slots, allocations);

        TicketSealer sealer = new TicketSealer(f.ring);
        for (Slot slot : slots) {
            List<long[]> slotEnvelopes = new ArrayList<>();
            for (BatchConfig b : f.batches) {
                if (!b.getSlotId().equals(slot.getSlotId())) {
                    continue;
                }
                long[] amounts = split(random, b.getTotalFen(), (int) b.getCount(), b.getMinFen(), b.getMaxFen());
                for (int i = 0; i < amounts.length; i++) {
                    int key = 1 + (b.getBatchId() + i) % 3;
                    slotEnvelopes.add(new long[] {b.getFirstEnvelopeId() + i, amounts[i], b.getBatchId(), key});
                }
            }
            Collections.shuffle(slotEnvelopes, random);
            int shards = 2;
            for (int shard = 0; shard < shards; shard++) {
                String fileName = CampaignLayout.envelopeFile(slot.getSlotId(), shard);
                List<long[]> part = slotEnvelopes.subList(shard * slotEnvelopes.size() / shards, (shard + 1) * slotEnvelopes.size() / shards);
                byte[] bytes = new byte[part.size() * EnvelopeLayout.RECORD_BYTES];
                for (int i = 0; i < part.size(); i++) {
                    long[] e = part.get(i);
                    sealer.seal(e[0], e[1], (int) e[2], (int) e[3], bytes, i * EnvelopeLayout.RECORD_BYTES);
                    f.envelopes.add(new Envelope(e[0], e[1], (int) e[2], (int) e[3], fileName));
                }
                Path file = dir.resolve(fileName);
                Files.createDirectories(file.getParent());
                Files.write(file, bytes);
                f.manifests.add(manifest(slot.getSlotId(), shard, fileName, part, EnvelopeFiles.checksum(file)));
            }
        }
        f.writeAvro();
        return f;
    }

    private static FileManifest manifest(String slot, int shard, String fileName, List<long[]> part, String checksum) {
        Map<Integer, long[]> perBatch = new java.util.TreeMap<>();
        TreeSet<Integer> keys = new TreeSet<>();
        long amount = 0;
        for (long[] e : part) {
            long[] t = perBatch.computeIfAbsent((int) e[2], k -> new long[2]);
            t[0]++;
            t[1] += e[1];
            amount += e[1];
            keys.add((int) e[3]);
        }
        List<BatchSummary> summaries = new ArrayList<>();
        perBatch.forEach((b, t) -> summaries.add(new BatchSummary(b, t[0], t[1])));
        return new FileManifest(CAMPAIGN, VARIANT, slot, shard, fileName, (long) part.size(), amount, new ArrayList<>(keys), summaries, checksum);
    }

    /** Random split of {@code total} into {@code n} amounts within [min, max], exact to the fen. */
    static long[] split(Random random, long total, int n, long min, long max) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, min);
        long remaining = total - n * min;
        while (remaining > 0) {
            int i = random.nextInt(n);
            long room = Math.min(max - a[i], remaining);
            if (room > 0) {
                long add = 1 + (long) random.nextInt((int) Math.min(room, 500));
                a[i] += add;
                remaining -= add;
            }
        }
        return a;
    }

    public void writeAvro() throws IOException {
        AvroFiles.writeAll(variantDir.resolve(CampaignLayout.BUDGET), budget, BudgetLine.getClassSchema());
        AvroFiles.writeAll(variantDir.resolve(CampaignLayout.PLAN), List.of(plan), FundingPlan.getClassSchema());
        AvroFiles.writeAll(variantDir.resolve(CampaignLayout.BATCHES), batches, BatchConfig.getClassSchema());
        AvroFiles.writeAll(variantDir.resolve(CampaignLayout.MANIFESTS), manifests, FileManifest.getClassSchema());
    }

    public BatchConfig batch(int batchId) {
        return batches.stream().filter(b -> b.getBatchId() == batchId).findFirst().orElseThrow();
    }

    public long budgetFen() {
        return budget.stream().mapToLong(BudgetLine::getFundedFen).sum();
    }

    // ---- settlement logs ----

    /** Opens, rejects and credits, as settlement would log them. */
    public static final class Logs {
        public final List<OpenEvent> opens = new ArrayList<>();
        public final List<RejectedOpen> rejects = new ArrayList<>();
        public final List<CreditInstruction> credits = new ArrayList<>();
        private int seq;

        /** An accepted open of {@code e}; returns its event id. */
        public String open(Envelope e, String user) {
            String id = "ev-" + (++seq);
            long t = T0 + seq * 60_000L;
            opens.add(new OpenEvent(id, "tok-" + seq, user, "dev-" + user, "10.0.0." + (seq % 250), "8.0", 1, t - 1000, t,
                    e.envelopeId(), e.amountFen(), e.batchId(), e.keyId()));
            return id;
        }

        public void reject(String eventId, RejectReason reason) {
            OpenEvent o = opens.stream().filter(x -> x.getEventId().equals(eventId)).findFirst().orElseThrow();
            rejects.add(new RejectedOpen(eventId, reason, "planted", o.getUserId(), o.getDeviceId(), o.getIp(), o.getEdgeId(),
                    o.getEnvelopeId(), o.getAmountFen(), o.getBatchId(), o.getKeyId(), o.getOpenTimeMs(), o.getOpenTimeMs() + 5));
        }

        public CreditInstruction credit(long envelopeId, long amountFen, int batchId, String sponsor, String openEventId, String user) {
            long t = T0 + (++seq) * 60_000L;
            CreditInstruction c = new CreditInstruction("cr-" + seq + "-" + envelopeId, envelopeId, user, amountFen, batchId, sponsor,
                    "acct-" + sponsor, "cash", openEventId, 1, t - 30_000, t);
            credits.add(c);
            return c;
        }

        /** Open and credit {@code e} correctly. */
        public String openAndCredit(CampaignFixture f, Envelope e, String user) {
            String ev = open(e, user);
            credit(e.envelopeId(), e.amountFen(), e.batchId(), f.batch(e.batchId()).getSponsorId(), ev, user);
            return ev;
        }

        /** Writes opens/, rejects/, credits/ under {@code dir} as Parquet partitioned by the UTC hour of openTimeMs. */
        public Path write(SparkSession spark, Path dir) throws IOException {
            Files.createDirectories(dir);
            writeLog(spark, dir.resolve(CampaignLayout.OPEN_LOG), opens, OpenEvent.getClassSchema());
            writeLog(spark, dir.resolve(CampaignLayout.REJECT_LOG), rejects, RejectedOpen.getClassSchema());
            writeLog(spark, dir.resolve(CampaignLayout.CREDIT_LOG), credits, CreditInstruction.getClassSchema());
            return dir;
        }
    }

    /** Columns named and typed as parquet-avro writes the Avro schema (enums as strings), plus the hour partition. */
    static <T extends SpecificRecordBase> void writeLog(SparkSession spark, Path dir, List<T> records, org.apache.avro.Schema schema) throws IOException {
        StructType struct = new StructType();
        for (org.apache.avro.Schema.Field field : schema.getFields()) {
            struct = struct.add(field.name(), sparkType(field.schema()), field.schema().isNullable());
        }
        struct = struct.add("hour", DataTypes.StringType, false);
        List<Row> rows = new ArrayList<>();
        for (T r : records) {
            GenericRecord g = r;
            Object[] values = new Object[schema.getFields().size() + 1];
            for (int i = 0; i < schema.getFields().size(); i++) {
                Object v = g.get(i);
                values[i] = v instanceof Enum<?> e ? e.name() : v;
            }
            values[values.length - 1] = HOUR.format(Instant.ofEpochMilli((Long) g.get("openTimeMs")));
            rows.add(RowFactory.create(values));
        }
        if (rows.isEmpty()) {
            Files.createDirectories(dir);
            return;
        }
        spark.createDataFrame(rows, struct).coalesce(1).write().partitionBy("hour").parquet(dir.toString());
    }

    private static DataType sparkType(org.apache.avro.Schema s) {
        org.apache.avro.Schema t = s.isUnion() ? s.getTypes().stream().filter(x -> x.getType() != org.apache.avro.Schema.Type.NULL).findFirst().orElseThrow() : s;
        return switch (t.getType()) {
            case INT -> DataTypes.IntegerType;
            case LONG -> DataTypes.LongType;
            case STRING, ENUM -> DataTypes.StringType;
            default -> throw new IllegalArgumentException("unsupported " + t);
        };
    }
}
