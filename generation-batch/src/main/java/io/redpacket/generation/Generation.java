package io.redpacket.generation;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BatchSummary;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.generation.input.InputValidator;
import io.redpacket.generation.input.ValidatedInputs;
import io.redpacket.generation.plan.FileResult;
import io.redpacket.generation.plan.FileRunner;
import io.redpacket.generation.plan.FileTask;
import io.redpacket.generation.plan.OutputAudit;
import io.redpacket.generation.plan.VariantPlan;
import io.redpacket.generation.plan.VariantPlanner;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.AtomicFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.keys.KeyAllotment;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.SealingKeys;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Validate, plan, generate, audit, publish. Everything is written into a hidden sibling of {@code --out} and
 * renamed into place only when every variant is complete and audited; an existing {@code --out} is refused.
 * Where the files are generated is the {@link FileRunner}'s business (Spark, or this JVM).
 */
public final class Generation {
    /** What a run needs; {@code variants} empty means all of the script's. */
    public record Options(Path budget, Path script, Path keyStore, char[] password, Path out, int shards, long seed,
                          long keyCapFen, int firstKeyId, int blockSize, Set<String> variants) {}

    /** Validated inputs and the plans of the selected variants. */
    public record Planned(ValidatedInputs inputs, List<VariantPlan> plans) {}

    /** The plans of the inputs; bad input as a {@link BadInputException}. Writes nothing. */
    public static Planned plan(Path budget, Path script, int shards, long seed, long keyCapFen, int firstKeyId, int blockSize,
                               Set<String> variants) throws IOException, BadInputException {
        ValidatedInputs in = InputValidator.validate(budget, script);
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
        List<VariantPlan> all = new VariantPlanner(shards, seed, allotment, blockSize).planAll(in.script(), in.budget(), firstKeyId);
        Set<String> known = all.stream().map(VariantPlan::variant).collect(Collectors.toCollection(TreeSet::new));
        for (String v : variants) {
            if (!known.contains(v)) {
                throw new BadInputException("--variant: " + v + " is not in " + script + " (variants: " + String.join(", ", known) + ")");
            }
        }
        // Ranges are planned over all variants, so a variant's bytes do not depend on which ones are selected.
        return new Planned(in, all.stream().filter(p -> variants.isEmpty() || variants.contains(p.variant())).toList());
    }

    public static List<VariantPlan> run(Options o, FileRunner runner, PrintStream log) throws IOException, BadInputException {
        long t0 = System.nanoTime();
        Path out = o.out().toAbsolutePath().normalize();
        if (Files.exists(out)) {
            throw new BadInputException("--out: " + out + " already exists; refusing to overwrite a generation (choose a new directory)");
        }
        Planned planned = plan(o.budget(), o.script(), o.shards(), o.seed(), o.keyCapFen(), o.firstKeyId(), o.blockSize(), o.variants());
        List<VariantPlan> plans = planned.plans();
        List<BudgetLine> budget = planned.inputs().budget().lines();
        for (VariantPlan p : plans) {
            log.printf("planned variant %s: %,d batches, %,d envelopes, %,d fen, %,d files, key ids %d..%d%n", p.variant(), p.batches().size(),
                    p.envelopeCount(), p.amountFen(), p.files().size(), p.firstKeyId(), p.nextKeyId() - 1);
        }
        log.printf("validated and planned in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        long k0 = System.nanoTime();
        KeyRing ring = loadRing(o.keyStore(), o.password());
        log.printf("loaded key ring %s in %.1f s%n", ring, (System.nanoTime() - k0) / 1e9);
        int firstKey = plans.stream().mapToInt(VariantPlan::firstKeyId).min().orElse(o.firstKeyId());
        int lastKey = plans.stream().mapToInt(p -> p.nextKeyId() - 1).max().orElse(0);
        checkRing(ring, o.keyStore(), plans);

        Path tmp = Files.createDirectories(out.getParent()).resolve("." + out.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
        Files.createDirectory(tmp);
        boolean published = false;
        try {
            List<FileTask> tasks = plans.stream().flatMap(p -> p.files().stream()).toList();
            long total = plans.stream().mapToLong(VariantPlan::envelopeCount).sum();
            log.printf("generating %,d envelopes in %,d files ...%n", total, tasks.size());
            long g0 = System.nanoTime();
            List<FileResult> results = runner.run(tasks, SealingKeys.of(ring, id -> id >= firstKey && id <= lastKey), tmp);
            double secs = (System.nanoTime() - g0) / 1e9;
            log.printf("generated %,d envelopes in %.1f s (%,.0f envelopes/s)%n", total, secs, total / Math.max(secs, 1e-9));
            long w0 = System.nanoTime();
            Map<String, List<FileResult>> byVariant = new HashMap<>();
            results.forEach(r -> byVariant.computeIfAbsent(r.variant(), v -> new ArrayList<>()).add(r));
            for (VariantPlan p : plans) {
                List<FileResult> rs = new ArrayList<>(byVariant.getOrDefault(p.variant(), List.of()));
                rs.sort(Comparator.comparingInt(FileResult::order));
                OutputAudit.check(p, rs, o.keyCapFen());
                writeVariant(p, rs, budget, ring, o, tmp.resolve(p.variant()));
            }
            log.printf("audited and wrote manifests, batch config, key ring exports and reports in %.1f s%n", (System.nanoTime() - w0) / 1e9);
            Files.createDirectories(out.getParent());
            AtomicFiles.rename(tmp, out);
            published = true;
            log.printf("wrote %s in %.1f s%n", out, (System.nanoTime() - t0) / 1e9);
            return plans;
        } finally {
            if (!published) {
                AtomicFiles.deleteTree(tmp);
            }
        }
    }

    private static void writeVariant(VariantPlan p, List<FileResult> results, List<BudgetLine> budget, KeyRing ring, Options o, Path dir)
            throws IOException {
        Files.createDirectories(dir.resolve(CampaignLayout.ENVELOPES_DIR));
        for (FileTask t : p.files()) {
            Files.createDirectories(dir.resolve(t.fileName).getParent());
        }
        AvroFiles.writeAll(dir.resolve(CampaignLayout.BUDGET), budget, BudgetLine.getClassSchema());
        AvroFiles.writeAll(dir.resolve(CampaignLayout.PLAN), List.of(p.plan()), FundingPlan.getClassSchema());
        AvroFiles.writeAll(dir.resolve(CampaignLayout.BATCHES), p.batches(), BatchConfig.getClassSchema());
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
            manifests.add(new FileManifest(p.campaignId(), p.variant(), r.slotId(), r.shard(), r.fileName(), r.recordCount(), r.amountFen(),
                    keyIds, batches, r.checksum()));
        }
        AvroFiles.writeAll(dir.resolve(CampaignLayout.MANIFESTS), manifests, FileManifest.getClassSchema());
        KeyRingStore.save(ring.restrictTo(used::contains), CampaignLayout.openRing(dir), o.password());
        KeyRingStore.save(ring.tokenOnly(), CampaignLayout.tokenRing(dir), o.password());
        Files.writeString(dir.resolve(CampaignLayout.REPORT), GenerationReport.render(p, results, o.keyCapFen()), StandardCharsets.UTF_8);
    }

    static KeyRing loadRing(Path keyStore, char[] password) throws IOException {
        if (!Files.isRegularFile(keyStore)) {
            throw new NoSuchFileException(keyStore.toString(), null, "key store does not exist (create one with bin/redpacket keys create)");
        }
        try {
            return KeyRingStore.load(keyStore, password);
        } catch (IOException e) {
            throw new CommandLines.InputFileException(e.getMessage(), e);
        }
    }

    /** Every key id the plans use must be in the ring; says how many keys are needed if not. */
    static void checkRing(KeyRing ring, Path keyStore, List<VariantPlan> plans) throws BadInputException {
        int first = plans.stream().mapToInt(VariantPlan::firstKeyId).min().orElse(1);
        int last = plans.stream().mapToInt(p -> p.nextKeyId() - 1).max().orElse(0);
        if (ring.tokenMacKey() == null) {
            throw new BadInputException("--keys: " + keyStore + " has no token key; use a ring made by bin/redpacket keys create");
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
            throw new BadInputException("--keys: " + keyStore + " holds " + ring.size() + " ticket keys" + (ring.size() > 0 ? " (ids up to " + ring.maxKeyId() + ")" : "")
                    + ", but this generation needs key ids " + first + ".." + last + " (" + (last - first + 1) + " keys; " + missing
                    + " missing, first " + firstMissing + "): create a ring with at least " + last + " keys (bin/redpacket keys create --count " + last + ")");
        }
    }
}
