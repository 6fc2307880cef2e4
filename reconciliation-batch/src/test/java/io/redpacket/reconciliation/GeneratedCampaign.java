package io.redpacket.reconciliation;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyRing;
import io.redpacket.testkit.GeneratedCampaign.Envelope;
import io.redpacket.testkit.GeneratedCampaign.Line;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reconciliation's view of a testkit campaign ({@link io.redpacket.testkit.GeneratedCampaign}: made by the real
 * generator, its truth read back by decrypting every record), plus settlement logs written as Parquet partitioned by
 * hour (the Spark part, which stays here). Deterministic per seed (except the keys). Two one-hour slots x two
 * sponsors ({@code sp-a}, {@code sp-b}), two shards per slot: four envelope files.
 */
public final class GeneratedCampaign {
    public static final String PASSWORD = "fixture-password";
    public static final String CAMPAIGN = "cny-test";
    public static final String VARIANT = "A";
    public static final long T0 = Instant.parse("2026-02-16T12:00:00Z").toEpochMilli();
    private static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("yyyy-MM-dd-HH").withZone(ZoneOffset.UTC);

    /** The kit's campaign (planted damage, truth by id). */
    public final io.redpacket.testkit.GeneratedCampaign kit;

    public final Path variantDir;
    /** The open ring as generation exported it (the keys that sealed these files). */
    public final KeyRing ring;

    public final List<BudgetLine> budget;
    public final List<BatchConfig> batches;
    /** Sorted by file name: envelopes/slot=s1/shard-00000.env, shard-00001, slot=s2/... */
    public final List<FileManifest> manifests;
    /** Every envelope, by id, as decrypted from its file. */
    public final List<Envelope> envelopes;

    public final FundingPlan plan;

    private GeneratedCampaign(io.redpacket.testkit.GeneratedCampaign kit) {
        this.kit = kit;
        this.variantDir = kit.dir;
        this.ring = kit.ring;
        this.budget = kit.budget();
        this.batches = kit.batches();
        this.manifests = kit.manifests();
        this.plan = kit.plan();
        this.envelopes = kit.envelopes();
    }

    /** Generates the campaign under {@code root} ({@code root/gen/A}); {@code perAllocation} envelopes per sponsor and slot. */
    public static GeneratedCampaign generate(Path root, long seed, int perAllocation) throws Exception {
        return new GeneratedCampaign(io.redpacket.testkit.GeneratedCampaign.builder()
                .campaignId(CAMPAIGN)
                .seed(seed)
                .slots(2)
                .slotMs(3_600_000)
                .startMs(T0)
                .lines(List.of(
                        new Line("sp-a", "cash", perAllocation, 100, 2000),
                        new Line("sp-b", "cash", perAllocation, 100, 2000)))
                .shards(2)
                .password(PASSWORD.toCharArray())
                .build(root.resolve("gen").resolve(VARIANT)));
    }

    static URI uri(Path p) {
        return Locations.canonical(p.toAbsolutePath().toUri());
    }

    /** Puts a small file back as generated (after a test damaged or deleted it). */
    public void restore(String name) throws IOException {
        kit.restore(name);
    }

    public BatchConfig batch(int batchId) {
        return kit.batch(batchId);
    }

    public long budgetFen() {
        return kit.budgetFen();
    }

    /** The envelopes of one file, in file order. */
    public List<Envelope> inFile(String fileName) {
        return kit.inFile(fileName);
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
            opens.add(new OpenEvent(
                    id,
                    "tok-" + seq,
                    user,
                    "dev-" + user,
                    "10.0.0." + (seq % 250),
                    "8.0",
                    1,
                    t - 1000,
                    t,
                    e.envelopeId(),
                    e.amountFen(),
                    e.batchId(),
                    e.keyId()));
            return id;
        }

        /**
         * The same open event delivered again, byte for byte (a producer retry after a lost acknowledgement, an edge
         * re-sending after a restart): a second row of the open log with the same event id.
         */
        public void redeliver(String eventId) {
            OpenEvent o = opens.stream()
                    .filter(x -> x.getEventId().equals(eventId))
                    .findFirst()
                    .orElseThrow();
            opens.add(OpenEvent.newBuilder(o).build());
        }

        public void reject(String eventId, RejectReason reason) {
            OpenEvent o = opens.stream()
                    .filter(x -> x.getEventId().equals(eventId))
                    .findFirst()
                    .orElseThrow();
            rejects.add(new RejectedOpen(
                    eventId,
                    reason,
                    "planted",
                    o.getUserId(),
                    o.getDeviceId(),
                    o.getIp(),
                    o.getEdgeId(),
                    o.getEnvelopeId(),
                    o.getAmountFen(),
                    o.getBatchId(),
                    o.getKeyId(),
                    o.getOpenTimeMs(),
                    o.getOpenTimeMs() + 5));
        }

        public CreditInstruction credit(
                long envelopeId, long amountFen, int batchId, String sponsor, String openEventId, String user) {
            long t = T0 + (++seq) * 60_000L;
            CreditInstruction c = new CreditInstruction(
                    "cr-" + seq + "-" + envelopeId,
                    envelopeId,
                    user,
                    amountFen,
                    batchId,
                    sponsor,
                    "acct-" + sponsor,
                    "cash",
                    openEventId,
                    1,
                    t - 30_000,
                    t);
            credits.add(c);
            return c;
        }

        /** Open and credit {@code e} correctly. */
        public String openAndCredit(GeneratedCampaign f, Envelope e, String user) {
            String ev = open(e, user);
            credit(
                    e.envelopeId(),
                    e.amountFen(),
                    e.batchId(),
                    f.batch(e.batchId()).getSponsorId(),
                    ev,
                    user);
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
            writeLog(
                    spark,
                    Locations.child(dir, CampaignLayout.CREDIT_LOG),
                    credits,
                    CreditInstruction.getClassSchema());
            return dir;
        }
    }

    /** Columns named and typed as parquet-avro writes the Avro schema (enums as strings), plus the hour partition. */
    static <T extends SpecificRecordBase> void writeLog(
            SparkSession spark, URI dir, List<T> records, org.apache.avro.Schema schema) throws IOException {
        StructType struct = new StructType();
        for (org.apache.avro.Schema.Field field : schema.getFields()) {
            struct = struct.add(
                    field.name(), sparkType(field.schema()), field.schema().isNullable());
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
        spark.createDataFrame(rows, struct)
                .coalesce(1)
                .write()
                .partitionBy("hour")
                .parquet(dir.toString());
    }

    private static DataType sparkType(org.apache.avro.Schema s) {
        org.apache.avro.Schema t = s.isUnion()
                ? s.getTypes().stream()
                        .filter(x -> x.getType() != org.apache.avro.Schema.Type.NULL)
                        .findFirst()
                        .orElseThrow()
                : s;
        return switch (t.getType()) {
            case INT -> DataTypes.IntegerType;
            case LONG -> DataTypes.LongType;
            case STRING, ENUM -> DataTypes.StringType;
            default -> throw new IllegalArgumentException("unsupported " + t);
        };
    }
}
