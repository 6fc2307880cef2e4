package io.redpacket.testkit;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;
import io.redpacket.cli.BadInputException;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.generation.Generation;
import io.redpacket.generation.plan.VariantPlan;
import io.redpacket.generation.split.LocalFileRunner;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.GeneratedVariant;
import io.redpacket.io.LocalFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.session.SessionSigner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A campaign variant made by the real generator: a validated budget and funding script go through
 * generation-batch's {@link Generation} with its Spark-free {@link LocalFileRunner} (split, shuffled, sealed files,
 * manifests, plan, batches, key ring exports, the {@code _COMMITTED} marker), into the directory the test names.
 * What tests assert against (amount, key, batch and file of every envelope id, records per file) is read back from
 * the generated files by decrypting every record with the exported ring, never remembered from what was meant to
 * be written. It can plant damage (a forged or corrupted record, a missing file, a tampered manifest) and put the
 * small files back. No Spark, Flink or Netty types: every stage's tests can use it.
 *
 * <p>Shape: {@link Builder#slots} slots of {@link Builder#slotMs} from {@link Builder#startMs}; in every slot each
 * {@link Line} (by default {@link Builder#sponsors} sponsors {@code sp1..spN}, cash, {@link Builder#perAllocation}
 * envelopes of {@code minFen..maxFen}) is one allocation, so one batch; ids are contiguous from 0 in batch order.
 */
public final class GeneratedCampaign {
    /** The default start of the first slot (2027-01-15T08:00:00Z). */
    public static final long T0 = 1_800_000_000_000L;

    public static final long SLOT_MS = 60_000;
    public static final String PASSWORD = "test-password";
    private static final String[] TYPES = {"picture", "video", "brand_logo"};
    private static final String SESSION_RING = "session-ring.p12";
    /** Campaigns up to this many envelopes are generated once per shape and copied (see {@link Builder#build}). */
    private static final long SHARED_UP_TO = 200_000;
    /** Shape -> the variant generated for it (never handed out: each test gets a copy). */
    private static final Map<String, Path> GENERATED = new HashMap<>();

    /** One allocation per slot: {@code count} envelopes of {@code minFen..maxFen} of {@code sponsorId} on {@code channel}. */
    public record Line(String sponsorId, String channel, int count, long minFen, long maxFen) {}

    /** One envelope as decrypted from its file: {@code recordIndex} is its position in {@code fileName}. */
    public record Envelope(long envelopeId, long amountFen, int batchId, int keyId, String fileName, int recordIndex) {}

    /** The variant directory (its name is the variant's name). */
    public final Path dir;
    /** Where the budget, the funding script and the key store given to the generator were written. */
    public final Path inputs;

    public final char[] password;
    /** The open ring as generation exported it (the keys that sealed these files). */
    public final KeyRing ring;

    public final GeneratedVariant variant;
    /** A session ring (keys 1 and 2, key 2 signs) for the edges' {@code --session-ring}; null unless asked for. */
    public final KeyRing sessionRing;

    private final ThreadLocal<SessionSigner> signer;
    private final Map<String, byte[]> smallFiles = new HashMap<>();
    private Truth truth;

    private GeneratedCampaign(
            Path dir, Path inputs, char[] password, KeyRing ring, GeneratedVariant variant, KeyRing sessionRing) {
        this.dir = dir;
        this.inputs = inputs;
        this.password = password;
        this.ring = ring;
        this.variant = variant;
        this.sessionRing = sessionRing;
        this.signer = sessionRing == null ? null : ThreadLocal.withInitial(() -> new SessionSigner(sessionRing));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What to generate; every option has a default that makes a small valid campaign. */
    public static final class Builder {
        private long seed = 42;
        private String campaignId = "kit";
        private int slots = 1;
        private long slotMs = SLOT_MS;
        private long startMs = T0;
        private int sponsors = 2;
        private int perAllocation = 20;
        private long minFen = 100;
        private long maxFen = 999;
        private List<Line> lines;
        private List<List<Line>> slotLines;
        private int shards = 1;
        private long keyCapFen = EnvelopeLayout.MAX_AMOUNT_FEN;
        private char[] password = PASSWORD.toCharArray();
        private boolean sessionRing;

        private Builder() {}

        /** Decides the allocations' totals and, through the generator, the amounts and the shuffle. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder campaignId(String campaignId) {
            this.campaignId = campaignId;
            return this;
        }

        public Builder slots(int slots) {
            this.slots = slots;
            return this;
        }

        public Builder slotMs(long slotMs) {
            this.slotMs = slotMs;
            return this;
        }

        public Builder startMs(long startMs) {
            this.startMs = startMs;
            return this;
        }

        /** Sponsors {@code sp1..spN}, each one cash allocation per slot of {@link #perAllocation} envelopes. */
        public Builder sponsors(int sponsors) {
            this.sponsors = sponsors;
            return this;
        }

        public Builder perAllocation(int perAllocation) {
            this.perAllocation = perAllocation;
            return this;
        }

        public Builder amounts(long minFen, long maxFen) {
            this.minFen = minFen;
            this.maxFen = maxFen;
            return this;
        }

        /**
         * Amounts of 1 to 2 million fen, so the generator's key cap ({@link #keyCapFen}, by default the largest
         * envelope) rotates ticket keys every dozen envelopes or so: every file holds several keys (tests of key blacklists).
         */
        public Builder rotatingKeys() {
            return amounts(1_000_000, 2_000_000);
        }

        /** Explicit allocations (each in every slot), instead of {@link #sponsors} x {@link #perAllocation}. */
        public Builder lines(List<Line> lines) {
            this.lines = List.copyOf(lines);
            return this;
        }

        /**
         * Each slot its own allocations ({@code slotLines.get(i)} in slot i; the number of slots is the list's size):
         * files, and so ticket keys, are per slot, so a line alone in its slot is sealed under keys no other line uses.
         */
        public Builder slotLines(List<List<Line>> slotLines) {
            this.slotLines = slotLines.stream().map(List::copyOf).toList();
            this.slots = slotLines.size();
            return this;
        }

        /** Files per slot. */
        public Builder shards(int shards) {
            this.shards = shards;
            return this;
        }

        /** Money one ticket key may seal (generation's {@code --key-cap-fen}); the default gives each file its own key. */
        public Builder keyCapFen(long keyCapFen) {
            this.keyCapFen = keyCapFen;
            return this;
        }

        public Builder password(char[] password) {
            this.password = password.clone();
            return this;
        }

        /** Also write a session ring ({@link #sessionRingFile}) and sign sessions with it ({@link #session}). */
        public Builder sessionRing() {
            this.sessionRing = true;
            return this;
        }

        private List<Line> lines(int slotIndex) {
            if (slotLines != null) {
                return slotLines.get(slotIndex);
            }
            if (lines != null) {
                return lines;
            }
            List<Line> out = new ArrayList<>();
            for (int p = 1; p <= sponsors; p++) {
                out.add(new Line("sp" + p, "cash", perAllocation, minFen, maxFen));
            }
            return out;
        }

        /**
         * Generates the variant into {@code dir} (which must not exist; its name is the variant's name). The inputs
         * go to the sibling {@code <name>-inputs}. A small campaign is generated once per JVM for each shape (every
         * option and the name) and each call gets its own copy of the files (same keys), so tests may damage theirs.
         */
        public GeneratedCampaign build(Path dir) throws IOException {
            Path variantDir = dir.toAbsolutePath();
            String name = variantDir.getFileName().toString();
            long envelopes = 0;
            for (int s = 0; s < slots; s++) {
                envelopes += lines(s).stream().mapToLong(Line::count).sum();
            }
            if (envelopes > SHARED_UP_TO) {
                return generate(variantDir);
            }
            String shape = String.join(
                    "|",
                    name,
                    campaignId,
                    Long.toString(seed),
                    Integer.toString(slots),
                    Long.toString(slotMs),
                    Long.toString(startMs),
                    Integer.toString(shards),
                    Long.toString(keyCapFen),
                    new String(password),
                    Boolean.toString(sessionRing),
                    String.valueOf(slotLines != null ? slotLines : lines(0)));
            Path template;
            synchronized (GENERATED) {
                template = GENERATED.get(shape);
                if (template == null) {
                    template = Files.createTempDirectory("testkit-").resolve(name);
                    generate(template);
                    GENERATED.put(shape, template);
                }
            }
            Path inputs = inputsOf(variantDir);
            copyTree(template, variantDir);
            copyTree(inputsOf(template), inputs);
            KeyRing sessions = sessionRing ? KeyRingStore.load(inputs.resolve(SESSION_RING), password) : null;
            return open(variantDir, inputs, password, sessions);
        }

        private GeneratedCampaign generate(Path variantDir) throws IOException {
            String name = variantDir.getFileName().toString();
            Path inputs = inputsOf(variantDir);
            Files.createDirectories(inputs);
            Path budget = inputs.resolve("budget.csv");
            Path script = inputs.resolve("script.yaml");
            writeInputs(name, budget, script);
            Path out = inputs.resolve("generated");
            try {
                List<VariantPlan> plans = Generation.plan(
                                LocalFileStore.INSTANCE,
                                uri(budget),
                                uri(script),
                                shards,
                                seed,
                                keyCapFen,
                                1,
                                1 << 16,
                                Set.of())
                        .plans();
                int keys = plans.stream().mapToInt(VariantPlan::nextKeyId).max().orElse(2) - 1;
                Path keyStore = inputs.resolve("ring.p12");
                KeyRingStore.save(KeyRing.generate(Math.max(1, keys), new SecureRandom()), keyStore, password, 1_000);
                ByteArrayOutputStream log = new ByteArrayOutputStream();
                Generation.run(
                        new Generation.Options(
                                uri(budget),
                                uri(script),
                                uri(keyStore),
                                password,
                                uri(out),
                                shards,
                                seed,
                                keyCapFen,
                                1,
                                1 << 16,
                                Set.of()),
                        LocalFileStore.INSTANCE,
                        new LocalFileRunner(LocalFileStore.INSTANCE),
                        new PrintStream(log, true, StandardCharsets.UTF_8));
                Files.write(inputs.resolve("generation.log"), log.toByteArray());
            } catch (BadInputException e) {
                throw new IllegalArgumentException("the kit wrote inputs the generator refuses: " + e.getMessage(), e);
            }
            Files.createDirectories(variantDir.getParent());
            Files.move(out.resolve(name), variantDir);
            KeyRing sessions = null;
            if (sessionRing) {
                sessions = KeyRing.generateSessionRing(new SecureRandom()).withRotatedSessionKey(new SecureRandom());
                KeyRingStore.save(sessions, inputs.resolve(SESSION_RING), password, 1_000);
            }
            return open(variantDir, inputs, password, sessions);
        }

        private void writeInputs(String variantName, Path budgetCsv, Path scriptYaml) throws IOException {
            Random random = new Random(seed);
            Map<String, Long> funded = new LinkedHashMap<>();
            StringBuilder y = new StringBuilder("campaign: " + campaignId + "\nslots:\n");
            for (int s = 0; s < slots; s++) {
                y.append("  - {id: ")
                        .append(slotId(s))
                        .append(", start: ")
                        .append(startMs + s * slotMs)
                        .append(", end: ")
                        .append(startMs + (s + 1) * slotMs)
                        .append("}\n");
            }
            y.append("variants:\n  - name: ").append(variantName).append("\n    allocations:\n");
            for (int s = 0; s < slots; s++) {
                List<Line> ls = lines(s);
                for (int i = 0; i < ls.size(); i++) {
                    Line l = ls.get(i);
                    long spread = l.count() * (l.maxFen() - l.minFen());
                    long total = l.count() * l.minFen() + spread / 4 + (long) (random.nextDouble() * (spread / 2));
                    funded.merge(l.sponsorId(), total, Long::sum);
                    y.append("      - {slot: ")
                            .append(slotId(s))
                            .append(", sponsor: ")
                            .append(l.sponsorId())
                            .append(", type: ")
                            .append(TYPES[i % TYPES.length])
                            .append(", total_fen: ")
                            .append(total)
                            .append(", count: ")
                            .append(l.count())
                            .append(", min_fen: ")
                            .append(l.minFen())
                            .append(", max_fen: ")
                            .append(l.maxFen())
                            .append(", channel: ")
                            .append(l.channel())
                            .append("}\n");
                }
            }
            StringBuilder b = new StringBuilder("sponsor_id,sponsor_name,payment_order,envelope_account,funded_fen\n");
            funded.forEach((sponsor, fen) -> b.append(sponsor)
                    .append(",Sponsor ")
                    .append(sponsor)
                    .append(",po-")
                    .append(sponsor)
                    .append(",acct-")
                    .append(sponsor)
                    .append(',')
                    .append(fen)
                    .append('\n'));
            Files.writeString(budgetCsv, b);
            Files.writeString(scriptYaml, y);
        }
    }

    /** Opens an already generated variant as every stage does (requires its marker); the truth is read on first use. */
    public static GeneratedCampaign open(Path variantDir, char[] password) throws IOException {
        return open(variantDir.toAbsolutePath(), inputsOf(variantDir.toAbsolutePath()), password, null);
    }

    private static GeneratedCampaign open(Path dir, Path inputs, char[] password, KeyRing sessionRing)
            throws IOException {
        GeneratedVariant v;
        try {
            v = GeneratedVariant.open(LocalFileStore.INSTANCE, uri(dir));
        } catch (BadInputException e) {
            throw new IOException(e.getMessage(), e);
        }
        KeyRing ring = KeyRingStore.load(CampaignLayout.openRing(dir), password);
        GeneratedCampaign c = new GeneratedCampaign(dir, inputs, password.clone(), ring, v, sessionRing);
        for (String f : List.of(
                CampaignLayout.BUDGET,
                CampaignLayout.PLAN,
                CampaignLayout.BATCHES,
                CampaignLayout.MANIFESTS,
                CampaignLayout.COMMIT)) {
            c.smallFiles.put(f, Files.readAllBytes(dir.resolve(f)));
        }
        return c;
    }

    private static Path inputsOf(Path variantDir) {
        return variantDir.resolveSibling(variantDir.getFileName() + "-inputs");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    public static String slotId(int slotIndex) {
        return "s" + (slotIndex + 1);
    }

    static URI uri(Path p) {
        return Locations.canonical(p.toAbsolutePath().toUri());
    }

    // ---- what generation wrote (its small files, as the one reader reads them) ----

    public FundingPlan plan() {
        return variant.plan();
    }

    public List<BatchConfig> batches() {
        return variant.batches();
    }

    /** Sorted by file name. */
    public List<FileManifest> manifests() {
        return variant.manifests();
    }

    public List<BudgetLine> budget() {
        return variant.budget();
    }

    public List<String> slotIds() {
        return variant.plan().getSlots().stream().map(Slot::getSlotId).toList();
    }

    public long slotStart(int slotIndex) {
        return variant.plan().getSlots().get(slotIndex).getStartMs();
    }

    public long endMs() {
        return variant.endMs();
    }

    public long budgetFen() {
        return budget().stream().mapToLong(BudgetLine::getFundedFen).sum();
    }

    public BatchConfig batch(int batchId) {
        return batches().stream()
                .filter(b -> b.getBatchId() == batchId)
                .findFirst()
                .orElseThrow();
    }

    public BatchConfig batchOfEnvelope(long envelopeId) {
        return batch(truth().batchIds[index(envelopeId)]);
    }

    public Path file(String slotId, int shard) {
        return dir.resolve(CampaignLayout.envelopeFile(slotId, shard));
    }

    public Path file(String relative) {
        return dir.resolve(relative);
    }

    // ---- the truth, read back by decrypting every record ----

    /** What {@link #forEachEnvelope} hands over for each record. */
    @FunctionalInterface
    public interface EnvelopeVisitor {
        void visit(long envelopeId, long amountFen, int batchId, int keyId) throws IOException;
    }

    /**
     * Decrypts every record, file by file, without keeping them: the truth of a benchmark-sized campaign (memory
     * bounded by one file). Fails naming the file and record of one that does not open.
     */
    public void forEachEnvelope(EnvelopeVisitor visitor) throws IOException {
        openEvery(
                (file, bytes, record, o) -> visitor.visit(o.envelopeId(), o.amountFen(), o.batchId(), o.keyId()), null);
    }

    private interface RecordVisitor {
        void visit(int file, byte[] bytes, int record, OpenedTicket opened) throws IOException;
    }

    /** Opens every record of every file (in manifest order), failing on one that does not open; {@code files} gets each file's bytes. */
    private void openEvery(RecordVisitor visitor, List<byte[]> files) throws IOException {
        TicketOpener opener = new TicketOpener(ring, KeyBlacklist.of());
        List<FileManifest> ms = manifests();
        for (int f = 0; f < ms.size(); f++) {
            String name = ms.get(f).getFileName();
            byte[] bytes = Files.readAllBytes(dir.resolve(name));
            if (files != null) {
                files.add(bytes);
            }
            for (int r = 0; r < bytes.length / EnvelopeLayout.RECORD_BYTES; r++) {
                OpenedTicket o = opener.open(bytes, r * EnvelopeLayout.RECORD_BYTES);
                if (!o.isValid()) {
                    throw new IOException(name + ": record " + r + " does not open: " + o.reason());
                }
                visitor.visit(f, bytes, r, o);
            }
        }
    }

    /** Envelope ids are contiguous: {@code firstEnvelopeId() .. firstEnvelopeId() + envelopeCount() - 1}. */
    public long firstEnvelopeId() {
        return variant.firstEnvelopeId();
    }

    public long envelopeCount() {
        return variant.envelopeCount();
    }

    public long amountFen(long envelopeId) {
        return truth().amounts[index(envelopeId)];
    }

    public int keyId(long envelopeId) {
        return truth().keyIds[index(envelopeId)];
    }

    public int batchId(long envelopeId) {
        return truth().batchIds[index(envelopeId)];
    }

    /** The manifest file name ({@code envelopes/slot=s1/shard-00000.env}) of the file that holds the id. */
    public String fileOf(long envelopeId) {
        Truth t = truth();
        return t.fileNames.get(t.files[index(envelopeId)]);
    }

    /** The record of the id, as sealed in its file. */
    public byte[] record(long envelopeId) {
        Truth t = truth();
        int i = index(envelopeId);
        byte[] out = new byte[EnvelopeLayout.RECORD_BYTES];
        System.arraycopy(t.bytes.get(t.files[i]), t.positions[i] * EnvelopeLayout.RECORD_BYTES, out, 0, out.length);
        return out;
    }

    /**
     * Every record in id order: the record of envelope id {@code firstEnvelopeId() + i} at offset
     * {@code i * RECORD_BYTES} (a plain array, for sources that must be serializable and for benchmarks).
     */
    public byte[] recordsById() {
        Truth t = truth();
        byte[] out = new byte[Math.multiplyExact(t.amounts.length, EnvelopeLayout.RECORD_BYTES)];
        for (int i = 0; i < t.amounts.length; i++) {
            System.arraycopy(
                    t.bytes.get(t.files[i]),
                    t.positions[i] * EnvelopeLayout.RECORD_BYTES,
                    out,
                    i * EnvelopeLayout.RECORD_BYTES,
                    EnvelopeLayout.RECORD_BYTES);
        }
        return out;
    }

    /** Records per file, by manifest file name, counted in the files. */
    public Map<String, Long> recordsPerFile() {
        Truth t = truth();
        Map<String, Long> out = new TreeMap<>();
        for (int f = 0; f < t.fileNames.size(); f++) {
            out.put(t.fileNames.get(f), (long) (t.bytes.get(f).length / EnvelopeLayout.RECORD_BYTES));
        }
        return out;
    }

    /** Every envelope, by id. */
    public List<Envelope> envelopes() {
        Truth t = truth();
        List<Envelope> out = new ArrayList<>(t.amounts.length);
        for (int i = 0; i < t.amounts.length; i++) {
            out.add(envelope(t, i));
        }
        return out;
    }

    /** The envelopes of one file, in file order (only that file's are built: benchmark-sized campaigns call it). */
    public List<Envelope> inFile(String fileName) {
        Truth t = truth();
        int file = t.fileNames.indexOf(fileName);
        List<Envelope> out = new ArrayList<>();
        for (int i = 0; i < t.amounts.length; i++) {
            if (t.files[i] == file) {
                out.add(envelope(t, i));
            }
        }
        out.sort(java.util.Comparator.comparingInt(Envelope::recordIndex));
        return List.copyOf(out);
    }

    private Envelope envelope(Truth t, int i) {
        return new Envelope(
                firstEnvelopeId() + i,
                t.amounts[i],
                t.batchIds[i],
                t.keyIds[i],
                t.fileNames.get(t.files[i]),
                t.positions[i]);
    }

    /** The sum of every decrypted amount. */
    public long sealedFen() {
        long sum = 0;
        for (long a : truth().amounts) {
            sum += a;
        }
        return sum;
    }

    private int index(long envelopeId) {
        long i = envelopeId - firstEnvelopeId();
        if (i < 0 || i >= envelopeCount()) {
            throw new IllegalArgumentException("envelope id " + envelopeId + " is not in this campaign");
        }
        return (int) i;
    }

    private synchronized Truth truth() {
        if (truth == null) {
            try {
                truth = Truth.read(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return truth;
    }

    /** Per envelope id (minus the first): amount, key, batch, file (index into fileNames) and position in it. */
    private record Truth(
            long[] amounts,
            int[] keyIds,
            int[] batchIds,
            int[] files,
            int[] positions,
            List<String> fileNames,
            List<byte[]> bytes) {
        static Truth read(GeneratedCampaign c) throws IOException {
            int n = Math.toIntExact(c.envelopeCount());
            List<String> names =
                    c.manifests().stream().map(FileManifest::getFileName).toList();
            Truth t = new Truth(new long[n], new int[n], new int[n], new int[n], new int[n], names, new ArrayList<>());
            boolean[] seen = new boolean[n];
            c.openEvery(
                    (f, bytes, r, o) -> {
                        int i = c.index(o.envelopeId());
                        if (seen[i]) {
                            throw new IOException(names.get(f) + ": record " + r + ": envelope id " + o.envelopeId()
                                    + " appears twice");
                        }
                        seen[i] = true;
                        t.amounts[i] = o.amountFen();
                        t.keyIds[i] = o.keyId();
                        t.batchIds[i] = o.batchId();
                        t.files[i] = f;
                        t.positions[i] = r;
                    },
                    t.bytes);
            for (int i = 0; i < n; i++) {
                if (!seen[i]) {
                    throw new IOException("envelope id " + (c.firstEnvelopeId() + i) + " is in no file");
                }
            }
            return t;
        }
    }

    // ---- sessions (edges) ----

    public Path sessionRingFile() {
        if (sessionRing == null) {
            throw new IllegalStateException("built without .sessionRing()");
        }
        return inputs.resolve(SESSION_RING);
    }

    /** The device every test user logs in from. */
    public static String device(String user) {
        return "dev-" + user;
    }

    /** A session of {@code user} on {@link #device}, issued a second before the first slot starts, valid 20 hours. */
    public String session(String user) {
        if (signer == null) {
            throw new IllegalStateException("built without .sessionRing()");
        }
        return signer.get().sign(user, device(user), slotStart(0) - 1000, 20 * 3600);
    }

    /** The Authorization header value of {@code user}'s session. */
    public String auth(String user) {
        return "Session " + session(user);
    }

    // ---- planted damage ----

    /** Flips one ticket byte of a record, so its header check fails (the file no longer matches its manifest's checksum). */
    public void corrupt(String slotId, int shard, long recordIndex) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file(slotId, shard).toFile(), "rw")) {
            long pos = recordIndex * EnvelopeLayout.RECORD_BYTES + EnvelopeLayout.TICKET_OFFSET + 3;
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x5A);
        }
    }

    /**
     * Replaces record {@code recordIndex} of {@code fileName} with a forgery: the same id, batch and key id, another
     * amount, sealed by a key the campaign does not have. Returns the forged record.
     */
    public byte[] forgeRecord(String fileName, int recordIndex, long amountFen) throws IOException {
        Path file = dir.resolve(fileName);
        byte[] bytes = Files.readAllBytes(file);
        OpenedTicket real =
                new TicketOpener(ring, KeyBlacklist.of()).open(bytes, recordIndex * EnvelopeLayout.RECORD_BYTES);
        if (!real.isValid()) {
            throw new IllegalStateException(
                    fileName + ": record " + recordIndex + " is already damaged: " + real.reason());
        }
        KeyRing foreign = KeyRing.generate(real.keyId(), new SecureRandom());
        new TicketSealer(foreign)
                .seal(
                        real.envelopeId(),
                        amountFen,
                        real.batchId(),
                        real.keyId(),
                        bytes,
                        recordIndex * EnvelopeLayout.RECORD_BYTES);
        Files.write(file, bytes);
        byte[] out = new byte[EnvelopeLayout.RECORD_BYTES];
        System.arraycopy(bytes, recordIndex * EnvelopeLayout.RECORD_BYTES, out, 0, out.length);
        return out;
    }

    /** Deletes a file of the variant ({@code relative} to it: an envelope file, a small file, the marker). */
    public void deleteFile(String relative) throws IOException {
        Files.delete(dir.resolve(relative));
    }

    /**
     * Rewrites {@code manifests.avro} with one more fen on the first manifest: a well-formed file that no longer
     * matches the commit marker (and whose money no longer adds up to the batches).
     */
    public void tamperManifest() throws IOException {
        List<FileManifest> ms = new ArrayList<>(manifests());
        FileManifest first = ms.get(0);
        ms.set(
                0,
                FileManifest.newBuilder(first)
                        .setAmountFen(first.getAmountFen() + 1)
                        .build());
        Files.delete(dir.resolve(CampaignLayout.MANIFESTS));
        AvroFiles.writeAll(dir.resolve(CampaignLayout.MANIFESTS), ms, FileManifest.getClassSchema());
    }

    /** Puts a small file (plan, batches, manifests, budget, marker) back as generated. */
    public void restore(String name) throws IOException {
        byte[] bytes = smallFiles.get(name);
        if (bytes == null) {
            throw new IllegalArgumentException(
                    name + " is not a small file of the variant (" + smallFiles.keySet() + ")");
        }
        Files.write(dir.resolve(name), bytes);
    }
}
