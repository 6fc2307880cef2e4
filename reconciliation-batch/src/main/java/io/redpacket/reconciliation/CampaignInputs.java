package io.redpacket.reconciliation;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The small inputs of one reconciliation, read and checked on the driver before any Spark job runs, so bad or
 * missing input fails fast with the file named and nothing written: generation's Avro files, the list of envelope
 * files on disk, the open ring's location, and the three settlement log directories.
 */
public record CampaignInputs(
        Path variantDir,
        List<BudgetLine> budget,
        FundingPlan plan,
        List<BatchConfig> batches,
        List<FileManifest> manifests,
        List<EnvelopeFile> envelopeFiles,
        Path openRing,
        Path settlementDir) {

    /** An envelope file as found on disk: path relative to the variant directory (as manifests name it), and its slot. */
    public record EnvelopeFile(String fileName, String slotId, Path path) {}

    public static CampaignInputs load(Path variantDir, Path settlementDir) throws IOException, BadInputException {
        requireDir(variantDir, "generation variant directory");
        requireDir(settlementDir, "settlement log directory");
        for (String log : List.of(CampaignLayout.OPEN_LOG, CampaignLayout.REJECT_LOG, CampaignLayout.CREDIT_LOG)) {
            requireDir(settlementDir.resolve(log), "settlement " + log + " log directory");
        }
        List<BudgetLine> budget = read(variantDir.resolve(CampaignLayout.BUDGET), BudgetLine.class);
        List<FundingPlan> plans = read(variantDir.resolve(CampaignLayout.PLAN), FundingPlan.class);
        if (plans.size() != 1) {
            throw new BadInputException(variantDir.resolve(CampaignLayout.PLAN) + ": expected exactly one FundingPlan, found " + plans.size());
        }
        List<BatchConfig> batches = read(variantDir.resolve(CampaignLayout.BATCHES), BatchConfig.class);
        checkBatches(variantDir.resolve(CampaignLayout.BATCHES), batches);
        List<FileManifest> manifests = read(variantDir.resolve(CampaignLayout.MANIFESTS), FileManifest.class);
        Path ring = CampaignLayout.openRing(variantDir);
        if (!Files.isRegularFile(ring)) {
            throw new NoSuchFileException(ring.toString(), null, "open key ring does not exist");
        }
        Path envelopes = variantDir.resolve(CampaignLayout.ENVELOPES_DIR);
        requireDir(envelopes, "envelope directory");
        return new CampaignInputs(variantDir, budget, plans.get(0), batches, manifests, listEnvelopeFiles(variantDir), ring, settlementDir);
    }

    public String campaignId() {
        return plan.getCampaignId();
    }

    public String variant() {
        return plan.getVariant();
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(Path file, Class<T> type) throws IOException {
        try {
            return AvroFiles.readAll(file, type);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new CommandLines.InputFileException(e.getMessage(), e);
        }
    }

    private static void requireDir(Path dir, String what) throws NoSuchFileException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, what + " does not exist");
        }
    }

    private static void checkBatches(Path file, List<BatchConfig> batches) throws BadInputException {
        List<String> problems = new ArrayList<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < batches.size(); i++) {
            BatchConfig b = batches.get(i);
            if (!io.redpacket.envelope.EnvelopeLayout.validBatchId(b.getBatchId())) {
                problems.add(file + ": record " + (i + 1) + ": batchId: " + b.getBatchId() + " outside 1.." + io.redpacket.envelope.EnvelopeLayout.MAX_BATCH_ID);
            } else if (!seen.add(b.getBatchId())) {
                problems.add(file + ": record " + (i + 1) + ": batchId: " + b.getBatchId() + " appears twice");
            }
        }
        if (!problems.isEmpty()) {
            throw new BadInputException(problems);
        }
    }

    private static List<EnvelopeFile> listEnvelopeFiles(Path variantDir) throws IOException {
        Path root = variantDir.resolve(CampaignLayout.ENVELOPES_DIR);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(CampaignLayout.ENVELOPE_FILE_SUFFIX))
                    .sorted()
                    .map(p -> new EnvelopeFile(variantDir.relativize(p).toString().replace('\\', '/'), slotOf(p), p.toAbsolutePath()))
                    .toList();
        }
    }

    /** The slot of {@code envelopes/slot=<id>/shard-N.env}; null when the file is not inside a slot directory. */
    static String slotOf(Path file) {
        Path parent = file.getParent();
        String name = parent == null ? "" : parent.getFileName().toString();
        return name.startsWith("slot=") ? name.substring("slot=".length()) : null;
    }
}
