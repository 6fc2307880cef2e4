package io.redpacket.io;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BatchSummary;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.CommittedFile;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;
import io.redpacket.avro.VariantCommit;
import io.redpacket.cli.BadInputException;
import io.redpacket.envelope.EnvelopeLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * The one reader of a generated variant directory ({@link CampaignLayout}), used by every stage, so a layout
 * change is made in one place and every stage refuses the same broken input the same way.
 *
 * <p>It requires the commit marker ({@link CampaignLayout#COMMIT}) generation writes last: a variant being
 * written, or left by a failed run, is refused even on an object store where files appear one by one. The
 * small files (plan, batches, manifests, budget, key stores) must match the marker's sizes and checksums; the
 * batches must tile their id ranges; the manifests must add up, per batch, to exactly the batch's count and
 * money (total vs parts). Envelope files themselves (billions of records) are not read here: their sizes are
 * checked by {@link #checkPublished()}, their content by whoever reads them (edge, settlement,
 * reconciliation) against the manifests' checksums.
 */
public final class GeneratedVariant {
    private final FileStore store;
    private final URI dir;
    private final VariantCommit commit;
    private final FundingPlan plan;
    private final List<BatchConfig> batches;
    private final List<FileManifest> manifests;
    private final List<BudgetLine> budget;

    private GeneratedVariant(
            FileStore store,
            URI dir,
            VariantCommit commit,
            FundingPlan plan,
            List<BatchConfig> batches,
            List<FileManifest> manifests,
            List<BudgetLine> budget) {
        this.store = store;
        this.dir = dir;
        this.commit = commit;
        this.plan = plan;
        this.batches = batches;
        this.manifests = manifests;
        this.budget = budget;
    }

    /**
     * Opens and checks a committed variant.
     *
     * @throws BadInputException every problem found, each naming the file and field
     * @throws java.nio.file.NoSuchFileException when the directory or a required file does not exist
     */
    public static GeneratedVariant open(FileStore store, URI variantDir) throws IOException, BadInputException {
        URI dir = Locations.canonical(variantDir);
        if (!store.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(
                    Locations.display(dir), null, "generated variant directory does not exist");
        }
        URI commitFile = Locations.child(dir, CampaignLayout.COMMIT);
        if (!store.exists(commitFile)) {
            throw new BadInputException(
                    Locations.display(dir) + ": not a committed campaign variant: " + CampaignLayout.COMMIT
                            + " is missing (generation still running or failed, or not a variant directory)");
        }
        VariantCommit commit = single(store, commitFile, VariantCommit.class);
        Map<String, CommittedFile> committed = new HashMap<>();
        for (CommittedFile f : commit.getFiles()) {
            committed.put(f.getPath(), f);
        }
        List<String> problems = new ArrayList<>();
        FundingPlan plan = single(
                verifiedBytes(store, dir, CampaignLayout.PLAN, committed, problems),
                dir,
                CampaignLayout.PLAN,
                FundingPlan.class);
        List<BatchConfig> batches = read(
                verifiedBytes(store, dir, CampaignLayout.BATCHES, committed, problems),
                dir,
                CampaignLayout.BATCHES,
                BatchConfig.class);
        List<FileManifest> manifests = read(
                verifiedBytes(store, dir, CampaignLayout.MANIFESTS, committed, problems),
                dir,
                CampaignLayout.MANIFESTS,
                FileManifest.class);
        List<BudgetLine> budget = read(
                verifiedBytes(store, dir, CampaignLayout.BUDGET, committed, problems),
                dir,
                CampaignLayout.BUDGET,
                BudgetLine.class);
        for (String ring : List.of(
                CampaignLayout.KEYS_DIR + "/" + CampaignLayout.OPEN_RING,
                CampaignLayout.KEYS_DIR + "/" + CampaignLayout.TOKEN_RING)) {
            if (!committed.containsKey(ring)) {
                problems.add(Locations.display(Locations.child(dir, CampaignLayout.COMMIT)) + ": files: " + ring
                        + " is not listed");
            }
        }
        if (!problems.isEmpty()) {
            throw new BadInputException(problems);
        }
        checkIdentity(dir, commit, plan, problems);
        checkBatches(dir, plan, batches, problems);
        checkManifests(dir, plan, batches, manifests, committed, problems);
        if (!problems.isEmpty()) {
            throw new BadInputException(problems);
        }
        List<FileManifest> sorted = new ArrayList<>(manifests);
        sorted.sort(Comparator.comparing(FileManifest::getFileName));
        return new GeneratedVariant(
                store, dir, commit, plan, List.copyOf(batches), List.copyOf(sorted), List.copyOf(budget));
    }

    public URI dir() {
        return dir;
    }

    public FileStore store() {
        return store;
    }

    public VariantCommit commit() {
        return commit;
    }

    public FundingPlan plan() {
        return plan;
    }

    public String campaignId() {
        return plan.getCampaignId();
    }

    public String variant() {
        return plan.getVariant();
    }

    public List<BatchConfig> batches() {
        return batches;
    }

    /** Sorted by file name. */
    public List<FileManifest> manifests() {
        return manifests;
    }

    public List<BudgetLine> budget() {
        return budget;
    }

    public URI file(String relative) {
        return Locations.child(dir, relative);
    }

    public URI envelopeFile(FileManifest m) {
        return file(m.getFileName());
    }

    public URI openRing() {
        return file(CampaignLayout.KEYS_DIR + "/" + CampaignLayout.OPEN_RING);
    }

    public URI tokenRing() {
        return file(CampaignLayout.KEYS_DIR + "/" + CampaignLayout.TOKEN_RING);
    }

    /** When the last slot ends (epoch ms). */
    public long endMs() {
        return plan.getSlots().stream().mapToLong(Slot::getEndMs).max().orElseThrow();
    }

    /** Smallest envelope id of the variant (batches tile [first, last] without overlap, possibly with gaps between variants). */
    public long firstEnvelopeId() {
        return batches.stream().mapToLong(BatchConfig::getFirstEnvelopeId).min().orElseThrow();
    }

    public long lastEnvelopeId() {
        return batches.stream()
                .mapToLong(b -> b.getFirstEnvelopeId() + b.getCount() - 1)
                .max()
                .orElseThrow();
    }

    public long envelopeCount() {
        return batches.stream().mapToLong(BatchConfig::getCount).sum();
    }

    public long amountFen() {
        return batches.stream().mapToLong(BatchConfig::getTotalFen).sum();
    }

    /**
     * Lists the variant directory and compares it with the commit: every committed file present with its size,
     * and no envelope file the commit does not know. Empty when all is well. Costs one listing, no reads.
     */
    public List<String> checkPublished() throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, Long> found = new TreeMap<>();
        for (FileStore.Entry e : store.listFiles(dir)) {
            found.put(Locations.relativize(dir, e.uri()), e.sizeBytes());
        }
        for (CommittedFile f : commit.getFiles()) {
            Long size = found.get(f.getPath());
            if (size == null) {
                problems.add(
                        Locations.display(file(f.getPath())) + ": missing (listed in " + CampaignLayout.COMMIT + ")");
            } else if (size != f.getSizeBytes()) {
                problems.add(Locations.display(file(f.getPath())) + ": " + size + " bytes, " + CampaignLayout.COMMIT
                        + " says " + f.getSizeBytes());
            }
        }
        Set<String> known = new HashSet<>();
        commit.getFiles().forEach(f -> known.add(f.getPath()));
        for (String path : found.keySet()) {
            if (path.startsWith(CampaignLayout.ENVELOPES_DIR + "/") && !known.contains(path)) {
                problems.add(Locations.display(file(path)) + ": envelope file not listed in " + CampaignLayout.COMMIT);
            }
        }
        return problems;
    }

    // ---- checks ----

    private static byte[] verifiedBytes(
            FileStore store, URI dir, String name, Map<String, CommittedFile> committed, List<String> problems)
            throws IOException {
        URI file = Locations.child(dir, name);
        byte[] bytes = store.readAllBytes(file);
        CommittedFile c = committed.get(name);
        if (c == null) {
            problems.add(Locations.display(Locations.child(dir, CampaignLayout.COMMIT)) + ": files: " + name
                    + " is not listed");
        } else if (c.getSizeBytes() != bytes.length) {
            problems.add(Locations.display(file) + ": " + bytes.length + " bytes, " + CampaignLayout.COMMIT + " says "
                    + c.getSizeBytes());
        } else if (!c.getChecksum().equals(EnvelopeFiles.checksum(bytes))) {
            problems.add(Locations.display(file) + ": content differs from the checksum in " + CampaignLayout.COMMIT);
        }
        return bytes;
    }

    private static void checkIdentity(URI dir, VariantCommit commit, FundingPlan plan, List<String> problems) {
        String where = Locations.display(Locations.child(dir, CampaignLayout.COMMIT));
        if (!commit.getVariant().equals(plan.getVariant())
                || !commit.getCampaignId().equals(plan.getCampaignId())) {
            problems.add(where + ": variant: " + commit.getCampaignId() + "/" + commit.getVariant() + ", but "
                    + CampaignLayout.PLAN + " is " + plan.getCampaignId() + "/" + plan.getVariant());
        }
        if (plan.getSlots().isEmpty()) {
            problems.add(Locations.display(Locations.child(dir, CampaignLayout.PLAN)) + ": slots: empty");
        }
    }

    private static void checkBatches(URI dir, FundingPlan plan, List<BatchConfig> batches, List<String> problems) {
        String where = Locations.display(Locations.child(dir, CampaignLayout.BATCHES));
        if (batches.isEmpty()) {
            problems.add(where + ": no batches");
            return;
        }
        Set<String> slots = new HashSet<>();
        plan.getSlots().forEach(s -> slots.add(s.getSlotId()));
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < batches.size(); i++) {
            BatchConfig b = batches.get(i);
            String at = where + ": record " + (i + 1) + ": ";
            if (!EnvelopeLayout.validBatchId(b.getBatchId())) {
                problems.add(at + "batchId: " + b.getBatchId() + " outside 1.." + EnvelopeLayout.MAX_BATCH_ID);
            } else if (!ids.add(b.getBatchId())) {
                problems.add(at + "batchId: " + b.getBatchId() + " appears twice");
            }
            if (b.getCount() < 1) {
                problems.add(at + "count: " + b.getCount() + " (a batch has at least one envelope)");
            }
            if (!EnvelopeLayout.validEnvelopeId(b.getFirstEnvelopeId())
                    || !EnvelopeLayout.validEnvelopeId(b.getFirstEnvelopeId() + b.getCount() - 1)) {
                problems.add(at + "firstEnvelopeId: range " + b.getFirstEnvelopeId() + " + " + b.getCount()
                        + " outside 0.." + EnvelopeLayout.MAX_ENVELOPE_ID);
            }
            if (!slots.contains(b.getSlotId())) {
                problems.add(at + "slotId: " + b.getSlotId() + " is not a slot of " + CampaignLayout.PLAN);
            }
            if (!b.getVariant().equals(plan.getVariant())) {
                problems.add(at + "variant: " + b.getVariant() + ", the plan's is " + plan.getVariant());
            }
        }
        List<BatchConfig> byFirst = new ArrayList<>(batches);
        byFirst.sort(Comparator.comparingLong(BatchConfig::getFirstEnvelopeId));
        for (int i = 1; i < byFirst.size(); i++) {
            BatchConfig a = byFirst.get(i - 1);
            BatchConfig b = byFirst.get(i);
            if (b.getFirstEnvelopeId() < a.getFirstEnvelopeId() + a.getCount()) {
                problems.add(where + ": batch " + b.getBatchId() + ": firstEnvelopeId: " + b.getFirstEnvelopeId()
                        + " overlaps batch " + a.getBatchId() + " (" + a.getFirstEnvelopeId() + " + " + a.getCount()
                        + ")");
            }
        }
    }

    private static void checkManifests(
            URI dir,
            FundingPlan plan,
            List<BatchConfig> batches,
            List<FileManifest> manifests,
            Map<String, CommittedFile> committed,
            List<String> problems) {
        String where = Locations.display(Locations.child(dir, CampaignLayout.MANIFESTS));
        Map<Integer, BatchConfig> byId = new HashMap<>();
        batches.forEach(b -> byId.put(b.getBatchId(), b));
        Set<String> slots = new HashSet<>();
        plan.getSlots().forEach(s -> slots.add(s.getSlotId()));
        Map<Integer, long[]> perBatch = new HashMap<>();
        Set<String> files = new HashSet<>();
        for (int i = 0; i < manifests.size(); i++) {
            FileManifest m = manifests.get(i);
            String at = where + ": record " + (i + 1) + " (" + m.getFileName() + "): ";
            if (!m.getFileName().equals(CampaignLayout.envelopeFile(m.getSlotId(), m.getShard()))) {
                problems.add(at + "fileName: expected " + CampaignLayout.envelopeFile(m.getSlotId(), m.getShard()));
            }
            if (!files.add(m.getFileName())) {
                problems.add(at + "fileName: appears twice");
            }
            if (!slots.contains(m.getSlotId())) {
                problems.add(at + "slotId: " + m.getSlotId() + " is not a slot of " + CampaignLayout.PLAN);
            }
            long count = 0;
            long amount = 0;
            for (BatchSummary s : m.getBatches()) {
                if (!byId.containsKey(s.getBatchId())) {
                    problems.add(at + "batches: batch " + s.getBatchId() + " is not in " + CampaignLayout.BATCHES);
                    continue;
                }
                count = Math.addExact(count, s.getCount());
                amount = Math.addExact(amount, s.getAmountFen());
                long[] t = perBatch.computeIfAbsent(s.getBatchId(), k -> new long[2]);
                t[0] = Math.addExact(t[0], s.getCount());
                t[1] = Math.addExact(t[1], s.getAmountFen());
            }
            if (count != m.getRecordCount() || amount != m.getAmountFen()) {
                problems.add(at + "recordCount/amountFen: " + m.getRecordCount() + " records, " + m.getAmountFen()
                        + " fen, but its batches add up to " + count + " records, " + amount + " fen");
            }
            CommittedFile c = committed.get(m.getFileName());
            if (c == null) {
                problems.add(at + "not listed in " + CampaignLayout.COMMIT);
            } else if (c.getSizeBytes() != m.getRecordCount() * EnvelopeLayout.RECORD_BYTES
                    || !c.getChecksum().equals(m.getChecksum())) {
                problems.add(at + "size or checksum differs from " + CampaignLayout.COMMIT);
            }
        }
        for (BatchConfig b : batches) {
            long[] t = perBatch.getOrDefault(b.getBatchId(), new long[2]);
            if (t[0] != b.getCount() || t[1] != b.getTotalFen()) {
                problems.add(where + ": batch " + b.getBatchId() + ": files hold " + t[0] + " envelopes, " + t[1]
                        + " fen; " + CampaignLayout.BATCHES + " says " + b.getCount() + " envelopes, " + b.getTotalFen()
                        + " fen");
            }
        }
    }

    // ---- reading ----

    private static <T extends SpecificRecordBase> List<T> read(byte[] bytes, URI dir, String name, Class<T> type)
            throws IOException {
        return AvroFiles.readAll(new ByteArrayInputStream(bytes), Locations.display(Locations.child(dir, name)), type);
    }

    private static <T extends SpecificRecordBase> T single(byte[] bytes, URI dir, String name, Class<T> type)
            throws IOException, BadInputException {
        List<T> all = read(bytes, dir, name, type);
        if (all.size() != 1) {
            throw new BadInputException(Locations.display(Locations.child(dir, name)) + ": expected one "
                    + type.getSimpleName() + ", found " + all.size());
        }
        return all.get(0);
    }

    private static <T extends SpecificRecordBase> T single(FileStore store, URI file, Class<T> type)
            throws IOException, BadInputException {
        List<T> all = AvroFiles.readAll(store, file, type);
        if (all.size() != 1) {
            throw new BadInputException(
                    Locations.display(file) + ": expected one " + type.getSimpleName() + ", found " + all.size());
        }
        return all.get(0);
    }

    /**
     * The commit record of a variant whose files are written: every file below {@code dir} with its size, and
     * the checksums the caller supplies (envelope files: their manifests'; small files: computed here).
     * Used by generation, the only writer.
     */
    public static VariantCommit commitOf(
            FileStore store, URI dir, String campaignId, String variant, Map<String, String> knownChecksums, long nowMs)
            throws IOException {
        List<CommittedFile> files = new ArrayList<>();
        for (FileStore.Entry e : store.listFiles(dir)) {
            String path = Locations.relativize(dir, e.uri());
            if (path.equals(CampaignLayout.COMMIT)) {
                continue;
            }
            String sum = knownChecksums.get(path);
            if (sum == null) {
                try (java.io.InputStream in = store.open(e.uri())) {
                    sum = EnvelopeFiles.checksum(in);
                }
            }
            files.add(new CommittedFile(path, e.sizeBytes(), sum));
        }
        files.sort(Comparator.comparing(CommittedFile::getPath));
        return new VariantCommit(campaignId, variant, nowMs, files);
    }
}
