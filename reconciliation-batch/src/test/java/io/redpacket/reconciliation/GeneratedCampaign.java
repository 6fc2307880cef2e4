package io.redpacket.reconciliation;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.generation.Generation;
import io.redpacket.generation.split.LocalFileRunner;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.GeneratedVariant;
import io.redpacket.io.LocalFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A small campaign made by the real generator (generation-batch's Spark-free {@link LocalFileRunner}: validated
 * budget and funding script, split, shuffled, sealed, manifests, key ring exports), read back by decrypting every
 * record, plus settlement logs written as Parquet partitioned by hour. Deterministic per seed (except the keys).
 * Two slots x two sponsors ({@code sp-a}, {@code sp-b}), two shards per slot: four envelope files.
 */
public final class GeneratedCampaign {
    public static final String PASSWORD = "fixture-password";
    public static final String CAMPAIGN = "cny-test";
    public static final String VARIANT = "A";
    public static final long T0 = Instant.parse("2026-02-16T12:00:00Z").toEpochMilli();
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH").withZone(ZoneOffset.UTC);
    /** Each file gets its own key (the smallest cap the format allows is far above these files' money). */
    private static final long KEY_CAP_FEN = EnvelopeLayout.MAX_AMOUNT_FEN;

    /** One generated envelope, as decrypted from its file. */
    public record Envelope(long envelopeId, long amountFen, int batchId, int keyId, String fileName) {}

    public final Path variantDir;
    /** The open ring as generation exported it (the keys that sealed these files). */
    public final KeyRing ring;
    public final List<BudgetLine> budget;
    public final List<BatchConfig> batches;
    /** Sorted by file name: envelopes/slot=s1/shard-00000.env, shard-00001, slot=s2/... */
    public final List<FileManifest> manifests;
    public final List<Envelope> envelopes;
    public final FundingPlan plan;
    private final Map<String, byte[]> smallFiles = new HashMap<>();

    private GeneratedCampaign(Path variantDir, KeyRing ring, GeneratedVariant v, List<Envelope> envelopes) {
        this.variantDir = variantDir;
        this.ring = ring;
        this.budget = v.budget();
        this.batches = v.batches();
        this.manifests = v.manifests();
        this.plan = v.plan();
        this.envelopes = envelopes;
    }

    /** Generates the campaign under {@code root} ({@code root/gen/A}); about {@code perAllocation} envelopes per sponsor and slot. */
    public static GeneratedCampaign generate(Path root, long seed, int perAllocation) throws Exception {
        Random random = new Random(seed);
        Files.createDirectories(root);
        Path budgetCsv = root.resolve("budget.csv");
        Path script = root.resolve("script.yaml");
        long[] totals = new long[4];
        for (int i = 0; i < totals.length; i++) {
            totals[i] = perAllocation * 500L + random.nextInt(perAllocation * 100);
        }
        Files.writeString(budgetCsv, "sponsor_id,sponsor_name,payment_order,envelope_account,funded_fen\n"
                + "sp-a,Sponsor A,po-sp-a,acct-sp-a," + (totals[0] + totals[2]) + "\n"
                + "sp-b,Sponsor B,po-sp-b,acct-sp-b," + (totals[1] + totals[3]) + "\n");
        StringBuilder y = new StringBuilder("campaign: " + CAMPAIGN + "\nslots:\n"
                + "  - {id: s1, start: \"2026-02-16T20:00:00+08:00\", end: \"2026-02-16T21:00:00+08:00\"}\n"
                + "  - {id: s2, start: \"2026-02-16T21:00:00+08:00\", end: \"2026-02-16T22:00:00+08:00\"}\n"
                + "variants:\n  - name: " + VARIANT + "\n    allocations:\n");
        String[][] cells = {{"s1", "sp-a"}, {"s1", "sp-b"}, {"s2", "sp-a"}, {"s2", "sp-b"}};
        for (int i = 0; i < cells.length; i++) {
            y.append("      - {slot: ").append(cells[i][0]).append(", sponsor: ").append(cells[i][1]).append(", type: picture, total_fen: ")
                    .append(totals[i]).append(", count: ").append(perAllocation).append(", min_fen: 100, max_fen: 2000}\n");
        }
        Files.writeString(script, y);
        Path keyStore = root.resolve("ring.p12");
        KeyRingStore.save(KeyRing.generate(8, new SecureRandom()), keyStore, PASSWORD.toCharArray(), 1_000);
        Path out = root.resolve("gen");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Generation.run(new Generation.Options(uri(budgetCsv), uri(script), uri(keyStore), PASSWORD.toCharArray(), uri(out), 2, seed,
                KEY_CAP_FEN, 1, 1 << 16, Set.of()), LocalFileStore.INSTANCE, new LocalFileRunner(LocalFileStore.INSTANCE),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        Path dir = out.resolve(VARIANT);
        GeneratedVariant v = GeneratedVariant.open(LocalFileStore.INSTANCE, uri(dir));
        KeyRing ring = KeyRingStore.load(CampaignLayout.openRing(dir), PASSWORD.toCharArray());
        GeneratedCampaign c = new GeneratedCampaign(dir, ring, v, decryptAll(dir, v.manifests(), ring));
        for (String f : List.of(CampaignLayout.BUDGET, CampaignLayout.PLAN, CampaignLayout.BATCHES, CampaignLayout.MANIFESTS, CampaignLayout.COMMIT)) {
            c.smallFiles.put(f, Files.readAllBytes(dir.resolve(f)));
        }
        return c;
    }

    private static List<Envelope> decryptAll(Path dir, List<FileManifest> manifests, KeyRing ring) throws IOException {
        TicketOpener opener = new TicketOpener(ring, KeyBlacklist.of());
        List<Envelope> out = new ArrayList<>();
        for (FileManifest m : manifests) {
            byte[] bytes = Files.readAllBytes(dir.resolve(m.getFileName()));
            for (int off = 0; off + EnvelopeLayout.RECORD_BYTES <= bytes.length; off += EnvelopeLayout.RECORD_BYTES) {
                OpenedTicket t = opener.open(bytes, off);
                if (!t.isValid()) {
                    throw new IllegalStateException(m.getFileName() + ": record at " + off + " does not open: " + t.reason());
                }
                out.add(new Envelope(t.envelopeId(), t.amountFen(), t.batchId(), t.keyId(), m.getFileName()));
            }
        }
        return out;
    }

    static URI uri(Path p) {
        return Locations.canonical(p.toAbsolutePath().toUri());
    }

    /** Puts a small file back as generated (after a test damaged or deleted it). */
    public void restore(String name) throws IOException {
        Files.write(variantDir.resolve(name), smallFiles.get(name));
    }

    public BatchConfig batch(int batchId) {
        return batches.stream().filter(b -> b.getBatchId() == batchId).findFirst().orElseThrow();
    }

    public long budgetFen() {
        return budget.stream().mapToLong(BudgetLine::getFundedFen).sum();
    }

    /** The envelopes of one file, in file order. */
    public List<Envelope> inFile(String fileName) {
        return envelopes.stream().filter(e -> e.fileName().equals(fileName)).toList();
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

        /**
         * The same open event delivered again, byte for byte (a producer retry after a lost acknowledgement, an edge
         * re-sending after a restart): a second row of the open log with the same event id.
         */
        public void redeliver(String eventId) {
            OpenEvent o = opens.stream().filter(x -> x.getEventId().equals(eventId)).findFirst().orElseThrow();
            opens.add(OpenEvent.newBuilder(o).build());
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
        public String openAndCredit(GeneratedCampaign f, Envelope e, String user) {
            String ev = open(e, user);
            credit(e.envelopeId(), e.amountFen(), e.batchId(), f.batch(e.batchId()).getSponsorId(), ev, user);
            return ev;
        }

        /** Writes opens/, rejects/, credits/ under {@code dir} as Parquet partitioned by the UTC hour of openTimeMs. */
        public Path write(SparkSession spark, Path dir) throws IOException {
            write(spark, uri(dir));
            return dir;
        }

        /** The same, on any file system the session knows ({@code hdfs://}, {@code s3a://}, ...). */
        public URI write(SparkSession spark, URI dir) throws IOException {
            writeLog(spark, Locations.child(dir, CampaignLayout.OPEN_LOG), opens, OpenEvent.getClassSchema());
            writeLog(spark, Locations.child(dir, CampaignLayout.REJECT_LOG), rejects, RejectedOpen.getClassSchema());
            writeLog(spark, Locations.child(dir, CampaignLayout.CREDIT_LOG), credits, CreditInstruction.getClassSchema());
            return dir;
        }
    }

    /** Columns named and typed as parquet-avro writes the Avro schema (enums as strings), plus the hour partition. */
    static <T extends SpecificRecordBase> void writeLog(SparkSession spark, URI dir, List<T> records, org.apache.avro.Schema schema) throws IOException {
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
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir);
            p.getFileSystem(spark.sparkContext().hadoopConfiguration()).mkdirs(p);
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
