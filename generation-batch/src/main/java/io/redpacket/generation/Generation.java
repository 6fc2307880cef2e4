package io.redpacket.generation;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BatchSummary;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.CommittedFile;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.VariantCommit;
import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.generation.input.InputValidator;
import io.redpacket.generation.input.ValidatedInputs;
import io.redpacket.generation.plan.ExpectedFile;
import io.redpacket.generation.plan.FileResult;
import io.redpacket.generation.plan.FileRunner;
import io.redpacket.generation.plan.FileTask;
import io.redpacket.generation.plan.OutputAudit;
import io.redpacket.generation.plan.VariantPlan;
import io.redpacket.generation.plan.VariantPlanner;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.FileStore;
import io.redpacket.io.GeneratedVariant;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyAllotment;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.SealingKeys;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validate, plan, generate, verify, commit, publish. {@link #prepare} does everything that can refuse bad input
 * (inputs, key ring, {@code --out}) before anything is written or an engine started; {@link #generate} writes
 * and publishes through the target's file system:
 *
 * <ol>
 *   <li>the runner writes every envelope file; the driver writes the small files (manifests, batches, plan,
 *       budget, key ring exports, report);</li>
 *   <li>verification: the driver lists what was written (every file of every manifest there, with its size, and
 *       nothing else), and the runner reads every envelope file back where it is (on the executors) and checks
 *       its size and SHA-256 against its manifest;</li>
 *   <li>commit: each variant's {@code _COMMITTED} marker ({@link GeneratedVariant#commitOf}) is written last,
 *       after every variant passed;</li>
 *   <li>publish: where a directory rename is atomic (local disk, HDFS) everything above happened in a hidden
 *       sibling {@code .<out>.tmp-*} that is now renamed to {@code --out}. On an object store (S3), where a rename is
 *       a copy of every object and still not atomic, everything is written in place and the markers written
 *       last are what publish it: readers ({@link GeneratedVariant}) refuse a variant without one;</li>
 *   <li>the published variants are opened as every reader opens them, and listed against their markers.</li>
 * </ol>
 *
 * Any failure (a task that cannot write, a missing or short file, a checksum that differs) fails the run with
 * the file named, and removes what was written: no marker, no staging directory, nothing at {@code --out}.
 */
public final class Generation {
    private static final Logger LOG = LoggerFactory.getLogger(Generation.class);

    /** What a run needs; {@code variants} empty means all of the script's. */
    public record Options(
            URI budget,
            URI script,
            URI keyStore,
            char[] password,
            URI out,
            int shards,
            long seed,
            long keyCapFen,
            int firstKeyId,
            int blockSize,
            Set<String> variants) {}

    /** Validated inputs and the plans of the selected variants. */
    public record Planned(ValidatedInputs inputs, List<VariantPlan> plans) {}

    /** Everything checked and loaded, nothing written yet. */
    public record Prepared(Options options, Planned planned, KeyRing ring) {
        public List<VariantPlan> plans() {
            return planned.plans();
        }

        public long envelopeCount() {
            return plans().stream().mapToLong(VariantPlan::envelopeCount).sum();
        }
    }

    private Generation() {}

    /** The plans of the inputs; bad input as a {@link BadInputException}. Writes nothing. */
    public static Planned plan(
            FileStore store,
            URI budget,
            URI script,
            int shards,
            long seed,
            long keyCapFen,
            int firstKeyId,
            int blockSize,
            Set<String> variants)
            throws IOException, BadInputException {
        ValidatedInputs in = InputValidator.validate(store, budget, script);
        KeyAllotment allotment;
        try {
            allotment = new KeyAllotment(keyCapFen);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--key-cap-fen: " + e.getMessage());
        }
        if (shards < 1 || shards > 100_000) {
            throw new BadInputException("--shards: " + shards + " (allowed 1..100000)");
        }
        if (firstKeyId < 1) {
            throw new BadInputException("--first-key-id: " + firstKeyId + " (key ids start at 1)");
        }
        List<VariantPlan> all =
                new VariantPlanner(shards, seed, allotment, blockSize).planAll(in.script(), in.budget(), firstKeyId);
        Set<String> known = all.stream().map(VariantPlan::variant).collect(Collectors.toCollection(TreeSet::new));
        for (String v : variants) {
            if (!known.contains(v)) {
                throw new BadInputException("--variant: " + v + " is not in " + Locations.display(script)
                        + " (variants: " + String.join(", ", known) + ")");
            }
        }
        // Ranges are planned over all variants, so a variant's bytes do not depend on which ones are selected.
        return new Planned(
                in,
                all.stream()
                        .filter(p -> variants.isEmpty() || variants.contains(p.variant()))
                        .toList());
    }

    /** Checks everything a user can get wrong (inputs, keys, {@code --out}); writes nothing, starts nothing. */
    public static Prepared prepare(Options o, FileStore store, PrintStream log) throws IOException, BadInputException {
        long t0 = System.nanoTime();
        if (store.exists(o.out())) {
            throw new BadInputException("--out: " + Locations.display(o.out())
                    + " already exists; refusing to overwrite a generation (choose a new directory)");
        }
        Planned planned = plan(
                store,
                o.budget(),
                o.script(),
                o.shards(),
                o.seed(),
                o.keyCapFen(),
                o.firstKeyId(),
                o.blockSize(),
                o.variants());
        for (VariantPlan p : planned.plans()) {
            log.printf(
                    "planned variant %s: %,d batches, %,d envelopes, %,d fen, %,d files, key ids %d..%d%n",
                    p.variant(),
                    p.batches().size(),
                    p.envelopeCount(),
                    p.amountFen(),
                    p.files().size(),
                    p.firstKeyId(),
                    p.nextKeyId() - 1);
        }
        log.printf("validated and planned in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        long k0 = System.nanoTime();
        KeyRing ring = loadRing(store, o.keyStore(), o.password());
        log.printf("loaded key ring %s in %.1f s%n", ring, (System.nanoTime() - k0) / 1e9);
        checkRing(ring, o.keyStore(), planned.plans());
        return new Prepared(o, planned, ring);
    }

    /** {@link #prepare} then {@link #generate}. */
    public static List<VariantPlan> run(Options o, FileStore store, FileRunner runner, PrintStream log)
            throws IOException, BadInputException {
        return generate(prepare(o, store, log), store, runner, log);
    }

    /** Generates, verifies, commits and publishes (see the class comment). */
    public static List<VariantPlan> generate(Prepared prepared, FileStore store, FileRunner runner, PrintStream log)
            throws IOException {
        long t0 = System.nanoTime();
        Options o = prepared.options();
        List<VariantPlan> plans = prepared.plans();
        URI out = o.out();
        boolean atomic = store.renamesAtomically(out);
        URI stage = atomic
                ? Locations.sibling(out, "." + Locations.fileName(out) + ".tmp-" + Long.toHexString(System.nanoTime()))
                : out;
        boolean renamed = false;
        boolean published = false;
        try {
            int firstKey =
                    plans.stream().mapToInt(VariantPlan::firstKeyId).min().orElse(o.firstKeyId());
            int lastKey = plans.stream().mapToInt(p -> p.nextKeyId() - 1).max().orElse(0);
            List<FileTask> tasks =
                    plans.stream().flatMap(p -> p.files().stream()).toList();
            long total = prepared.envelopeCount();
            log.printf(
                    "generating %,d envelopes in %,d files into %s ...%n",
                    total, tasks.size(), Locations.display(stage));
            long g0 = System.nanoTime();
            List<FileResult> results =
                    runner.run(tasks, SealingKeys.of(prepared.ring(), id -> id >= firstKey && id <= lastKey), stage);
            double secs = (System.nanoTime() - g0) / 1e9;
            log.printf(
                    "generated %,d envelopes in %.1f s (%,.0f envelopes/s)%n",
                    total, secs, total / Math.max(secs, 1e-9));

            long w0 = System.nanoTime();
            Map<String, List<FileResult>> byVariant = new HashMap<>();
            results.forEach(r -> byVariant
                    .computeIfAbsent(r.variant(), v -> new ArrayList<>())
                    .add(r));
            for (VariantPlan p : plans) {
                List<FileResult> rs = byVariant.getOrDefault(p.variant(), new ArrayList<>());
                rs.sort(Comparator.comparingInt(FileResult::order));
                OutputAudit.check(p, rs, o.keyCapFen());
                writeVariant(p, rs, prepared, store, Locations.child(stage, p.variant()));
            }
            log.printf(
                    "audited and wrote manifests, batch config, key ring exports and reports in %.1f s%n",
                    (System.nanoTime() - w0) / 1e9);

            long v0 = System.nanoTime();
            List<ExpectedFile> expected = new ArrayList<>();
            for (FileResult r : results) {
                expected.add(new ExpectedFile(
                        Locations.child(Locations.child(stage, r.variant()), r.fileName()), r.bytes(), r.checksum()));
            }
            List<String> problems = new ArrayList<>(listingProblems(store, stage, plans, byVariant));
            problems.addAll(runner.verify(expected));
            failIf(problems, "verification of what was written");
            long bytes = expected.stream().mapToLong(ExpectedFile::sizeBytes).sum();
            log.printf(
                    "verified %,d files (%,d bytes) read back where they were written in %.1f s%n",
                    expected.size(), bytes, (System.nanoTime() - v0) / 1e9);

            for (VariantPlan p : plans) {
                commit(p, byVariant.get(p.variant()), store, Locations.child(stage, p.variant()));
            }
            if (atomic) {
                store.rename(stage, out);
                renamed = true;
            }
            for (VariantPlan p : plans) {
                checkPublished(store, Locations.child(out, p.variant()));
            }
            published = true;
            log.printf(
                    "committed and published %s (%s) in %.1f s%n",
                    Locations.display(out),
                    atomic ? "renamed into place" : "_COMMITTED written last in every variant",
                    (System.nanoTime() - t0) / 1e9);
            log.printf("wrote %s%n", Locations.display(out));
            return plans;
        } finally {
            if (!published) {
                unpublish(store, plans, atomic ? stage : null, atomic && !renamed ? null : out);
            }
        }
    }

    /** The driver's own view: every file of every manifest is there with its size; stray temp files of killed attempts are removed. */
    private static List<String> listingProblems(
            FileStore store, URI stage, List<VariantPlan> plans, Map<String, List<FileResult>> byVariant)
            throws IOException {
        List<String> problems = new ArrayList<>();
        for (VariantPlan p : plans) {
            URI dir = Locations.child(stage, p.variant());
            Map<String, Long> found = new HashMap<>();
            for (FileStore.Entry e : store.listFiles(dir)) {
                String rel = Locations.relativize(dir, e.uri());
                if (Locations.fileName(e.uri()).startsWith(".")) {
                    store.deleteRecursively(e.uri()); // a hidden temp file of a task attempt that was killed
                } else {
                    found.put(rel, e.sizeBytes());
                }
            }
            Set<String> known = new HashSet<>(smallFiles());
            for (FileResult r : byVariant.getOrDefault(p.variant(), List.of())) {
                known.add(r.fileName());
                Long size = found.get(r.fileName());
                String where = Locations.display(Locations.child(dir, r.fileName()));
                if (size == null) {
                    problems.add(where + ": missing (its manifest lists it; written by a task, not there now)");
                } else if (size != r.bytes()) {
                    problems.add(where + ": " + size + " bytes, its manifest says " + r.bytes()
                            + (size < r.bytes() ? " (short)" : ""));
                }
            }
            for (String f : smallFiles()) {
                if (!found.containsKey(f)) {
                    problems.add(Locations.display(Locations.child(dir, f)) + ": missing");
                }
            }
            for (String f : found.keySet()) {
                if (!known.contains(f)) {
                    problems.add(Locations.display(Locations.child(dir, f))
                            + ": not part of the campaign (no manifest lists it)");
                }
            }
        }
        return problems;
    }

    private static List<String> smallFiles() {
        return List.of(
                CampaignLayout.BUDGET,
                CampaignLayout.PLAN,
                CampaignLayout.BATCHES,
                CampaignLayout.MANIFESTS,
                CampaignLayout.REPORT,
                CampaignLayout.KEYS_DIR + "/" + CampaignLayout.OPEN_RING,
                CampaignLayout.KEYS_DIR + "/" + CampaignLayout.TOKEN_RING);
    }

    /** Writes the variant's marker last: every file with its size and checksum (envelope files: their manifests'). */
    private static void commit(VariantPlan p, List<FileResult> results, FileStore store, URI dir) throws IOException {
        Map<String, String> sums = new HashMap<>();
        for (FileResult r : results) {
            sums.put(r.fileName(), r.checksum());
        }
        VariantCommit c =
                GeneratedVariant.commitOf(store, dir, p.campaignId(), p.variant(), sums, System.currentTimeMillis());
        Set<String> listed = c.getFiles().stream().map(CommittedFile::getPath).collect(Collectors.toSet());
        Set<String> expected = new HashSet<>(smallFiles());
        expected.addAll(sums.keySet());
        if (!listed.equals(expected)) {
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(listed);
            Set<String> extra = new TreeSet<>(listed);
            extra.removeAll(expected);
            throw new CommandLines.LocatedFailure(Locations.display(dir) + ": changed while committing (missing "
                    + missing + ", unexpected " + extra + ")");
        }
        AvroFiles.writeAll(
                store, Locations.child(dir, CampaignLayout.COMMIT), List.of(c), VariantCommit.getClassSchema());
    }

    /** Opens the published variant as every reader will, and lists it against its marker. */
    private static void checkPublished(FileStore store, URI dir) throws IOException {
        List<String> problems = new ArrayList<>();
        try {
            problems.addAll(GeneratedVariant.open(store, dir).checkPublished());
        } catch (BadInputException e) {
            problems.addAll(e.problems());
        }
        failIf(problems, "check of the published campaign");
    }

    private static void failIf(List<String> problems, String what) throws CommandLines.LocatedFailure {
        if (problems.isEmpty()) {
            return;
        }
        problems.forEach(p -> LOG.error("{}: {}", what, p));
        throw new CommandLines.LocatedFailure(problems.get(0)
                + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems, listed in the log)" : "")
                + "; nothing was published");
    }

    /** Takes back what a failed run wrote: markers first (a reader must stop seeing a campaign at once), then the rest. */
    private static void unpublish(FileStore store, List<VariantPlan> plans, URI stage, URI out) {
        try {
            if (out != null) {
                for (VariantPlan p : plans) {
                    store.deleteRecursively(Locations.child(Locations.child(out, p.variant()), CampaignLayout.COMMIT));
                }
                store.deleteRecursively(out);
            }
            if (stage != null) {
                store.deleteRecursively(stage);
            }
        } catch (IOException | RuntimeException e) {
            LOG.error(
                    "could not remove the output of a failed run ({}): remove it by hand",
                    out != null ? out : stage,
                    e);
        }
    }

    private static void writeVariant(
            VariantPlan p, List<FileResult> results, Prepared prepared, FileStore store, URI dir) throws IOException {
        Options o = prepared.options();
        List<BudgetLine> budget = prepared.planned().inputs().budget().lines();
        AvroFiles.writeAll(store, Locations.child(dir, CampaignLayout.BUDGET), budget, BudgetLine.getClassSchema());
        AvroFiles.writeAll(
                store, Locations.child(dir, CampaignLayout.PLAN), List.of(p.plan()), FundingPlan.getClassSchema());
        AvroFiles.writeAll(
                store, Locations.child(dir, CampaignLayout.BATCHES), p.batches(), BatchConfig.getClassSchema());
        List<FileManifest> manifests = new ArrayList<>();
        Set<Integer> used = new TreeSet<>();
        for (FileResult r : results) {
            List<BatchSummary> batches = new ArrayList<>();
            for (int i = 0; i < r.batchIds().length; i++) {
                batches.add(new BatchSummary(r.batchIds()[i], r.batchCounts()[i], r.batchAmountsFen()[i]));
            }
            List<Integer> keyIds = new ArrayList<>();
            for (int k : r.keyIds()) {
                keyIds.add(k);
                used.add(k);
            }
            manifests.add(new FileManifest(
                    p.campaignId(),
                    p.variant(),
                    r.slotId(),
                    r.shard(),
                    r.fileName(),
                    r.recordCount(),
                    r.amountFen(),
                    keyIds,
                    batches,
                    r.checksum()));
        }
        AvroFiles.writeAll(
                store, Locations.child(dir, CampaignLayout.MANIFESTS), manifests, FileManifest.getClassSchema());
        URI keys = Locations.child(dir, CampaignLayout.KEYS_DIR);
        KeyRingStore.save(
                prepared.ring().restrictTo(used::contains),
                store,
                Locations.child(keys, CampaignLayout.OPEN_RING),
                o.password());
        KeyRingStore.save(
                prepared.ring().tokenOnly(), store, Locations.child(keys, CampaignLayout.TOKEN_RING), o.password());
        byte[] report = GenerationReport.render(p, results, o.keyCapFen()).getBytes(StandardCharsets.UTF_8);
        store.writeAtomically(Locations.child(dir, CampaignLayout.REPORT), os -> os.write(report));
    }

    static KeyRing loadRing(FileStore store, URI keyStore, char[] password) throws IOException {
        if (!store.exists(keyStore)) {
            throw new NoSuchFileException(
                    Locations.display(keyStore),
                    null,
                    "key store does not exist (create one with bin/redpacket keys create)");
        }
        if (store.isDirectory(keyStore)) {
            throw new NoSuchFileException(
                    Locations.display(keyStore),
                    null,
                    "is a directory; expected a key store (bin/redpacket keys create)");
        }
        try {
            return KeyRingStore.load(store, keyStore, password);
        } catch (IOException e) {
            throw new CommandLines.InputFileException(e.getMessage(), e);
        }
    }

    /** Every key id the plans use must be in the ring; says how many keys are needed if not. */
    static void checkRing(KeyRing ring, URI keyStore, List<VariantPlan> plans) throws BadInputException {
        int first = plans.stream().mapToInt(VariantPlan::firstKeyId).min().orElse(1);
        int last = plans.stream().mapToInt(p -> p.nextKeyId() - 1).max().orElse(0);
        String where = Locations.display(keyStore);
        if (ring.tokenMacKey() == null) {
            throw new BadInputException(
                    "--keys: " + where + " has no token key; use a ring made by bin/redpacket keys create");
        }
        int missing = 0;
        int firstMissing = 0;
        for (int id = first; id <= last; id++) {
            if (!ring.hasTicketKey(id)) {
                if (missing++ == 0) {
                    firstMissing = id;
                }
            }
        }
        if (missing > 0) {
            throw new BadInputException("--keys: " + where + " holds " + ring.size() + " ticket keys"
                    + (ring.size() > 0 ? " (ids up to " + ring.maxKeyId() + ")" : "")
                    + ", but this generation needs key ids " + first + ".." + last + " (" + (last - first + 1)
                    + " keys; " + missing
                    + " missing, first " + firstMissing + "): create a ring with at least " + last
                    + " keys (bin/redpacket keys create --count " + last + ")");
        }
    }
}
