package io.redpacket.reconciliation;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.BudgetLine;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.FileStore;
import io.redpacket.io.GeneratedVariant;
import io.redpacket.io.Locations;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * The small inputs of one reconciliation, read and checked on the driver before any Spark job runs, so bad or
 * missing input fails fast with the file named and nothing written: the committed variant (through
 * {@link GeneratedVariant}, the one reader every stage uses: commit marker required, small files checked against
 * it, batches and manifests adding up), the envelope files as they are on the file system (listed, not taken from
 * the manifests, so unlisted files are found and missing ones reported by the checks), and the three settlement
 * log directories. Every location is a URI of any file system the store knows.
 */
public record CampaignInputs(GeneratedVariant variant, List<EnvelopeFile> envelopeFiles, URI settlementDir) {

    /** An envelope file as found: path relative to the variant directory (as manifests name it), its slot, where it is. */
    public record EnvelopeFile(String fileName, String slotId, URI uri) {}

    public static CampaignInputs load(FileStore store, URI variantDir, URI settlementDir)
            throws IOException, BadInputException {
        if (!store.isDirectory(settlementDir)) {
            throw new NoSuchFileException(
                    Locations.display(settlementDir), null, "settlement log directory does not exist");
        }
        for (String log : List.of(CampaignLayout.OPEN_LOG, CampaignLayout.REJECT_LOG, CampaignLayout.CREDIT_LOG)) {
            URI dir = Locations.child(settlementDir, log);
            if (!store.isDirectory(dir)) {
                throw new NoSuchFileException(
                        Locations.display(dir), null, "settlement " + log + " log directory does not exist");
            }
        }
        GeneratedVariant variant = openVariant(store, variantDir);
        if (!store.exists(variant.openRing())) {
            throw new NoSuchFileException(Locations.display(variant.openRing()), null, "open key ring does not exist");
        }
        URI envelopes = variant.file(CampaignLayout.ENVELOPES_DIR);
        if (!store.isDirectory(envelopes)) {
            throw new NoSuchFileException(Locations.display(envelopes), null, "envelope directory does not exist");
        }
        return new CampaignInputs(
                variant, listEnvelopeFiles(store, variant.dir(), envelopes), Locations.canonical(settlementDir));
    }

    /** A damaged small file is bad input (exit 2); a failing file system stays a failure (exit 1). */
    private static GeneratedVariant openVariant(FileStore store, URI variantDir) throws IOException, BadInputException {
        try {
            return GeneratedVariant.open(store, variantDir);
        } catch (NoSuchFileException | CommandLines.InputFileException e) {
            throw e;
        } catch (IOException e) {
            // AvroFiles' words for content it cannot parse.
            if (e.getMessage() != null && e.getMessage().contains("not a readable Avro file")) {
                throw new CommandLines.InputFileException(e.getMessage(), e);
            }
            throw e;
        }
    }

    public URI variantDir() {
        return variant.dir();
    }

    public List<BudgetLine> budget() {
        return variant.budget();
    }

    public FundingPlan plan() {
        return variant.plan();
    }

    public List<BatchConfig> batches() {
        return variant.batches();
    }

    public List<FileManifest> manifests() {
        return variant.manifests();
    }

    public URI openRing() {
        return variant.openRing();
    }

    public String campaignId() {
        return variant.campaignId();
    }

    public String variantName() {
        return variant.variant();
    }

    private static List<EnvelopeFile> listEnvelopeFiles(FileStore store, URI variantDir, URI envelopes)
            throws IOException {
        List<EnvelopeFile> out = new ArrayList<>();
        for (FileStore.Entry e : store.listFiles(envelopes)) {
            String name = Locations.relativize(variantDir, e.uri());
            if (name.endsWith(CampaignLayout.ENVELOPE_FILE_SUFFIX)) {
                out.add(new EnvelopeFile(name, slotOf(name), e.uri()));
            }
        }
        return out;
    }

    /** The slot of {@code envelopes/slot=<id>/shard-N.env}; null when the file is not inside a slot directory. */
    static String slotOf(String relativeName) {
        String[] parts = relativeName.split("/");
        String parent = parts.length >= 2 ? parts[parts.length - 2] : "";
        return parent.startsWith("slot=") ? parent.substring("slot=".length()) : null;
    }
}
