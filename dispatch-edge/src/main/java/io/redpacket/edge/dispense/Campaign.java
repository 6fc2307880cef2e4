package io.redpacket.edge.dispense;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.FundingPlan;
import io.redpacket.edge.state.ClientState;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.open.BatchCatalog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What an edge reads from one generated variant directory (see {@link CampaignLayout}): the plan (time axis),
 * the batch config (batch id -> sponsor and type, in the clear in every record header) and the file
 * manifests. Small files: thousands of batches, one manifest per slot x shard. The envelope files themselves
 * are mapped later, per slot, by {@link Dispenser}.
 */
public final class Campaign {
    private final Path variantDir;
    private final FundingPlan plan;
    private final BatchCatalog batches;
    private final Map<String, FileManifest> manifests;
    private final String[] sponsorIds;
    private final int[] sponsorIndexByBatch;

    private Campaign(Path variantDir, FundingPlan plan, List<BatchConfig> batchList, List<FileManifest> manifestList) {
        this.variantDir = variantDir;
        this.plan = plan;
        this.batches = BatchCatalog.of(batchList);
        this.manifests = new HashMap<>();
        for (FileManifest m : manifestList) {
            manifests.put(key(m.getSlotId(), m.getShard()), m);
        }
        // Sponsors get a dense index (sorted ids, so every edge of the variant agrees) that fits the client state blob.
        TreeSet<String> sponsors = new TreeSet<>();
        int maxBatch = 0;
        for (BatchConfig b : batchList) {
            sponsors.add(b.getSponsorId());
            maxBatch = Math.max(maxBatch, b.getBatchId());
        }
        if (sponsors.size() > ClientState.MAX_SPONSORS) {
            throw new IllegalArgumentException(
                    variantDir + ": " + sponsors.size() + " sponsors (at most " + ClientState.MAX_SPONSORS + ")");
        }
        this.sponsorIds = sponsors.toArray(String[]::new);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < sponsorIds.length; i++) {
            index.put(sponsorIds[i], i);
        }
        this.sponsorIndexByBatch = new int[maxBatch + 1];
        java.util.Arrays.fill(sponsorIndexByBatch, -1);
        for (BatchConfig b : batchList) {
            sponsorIndexByBatch[b.getBatchId()] = index.get(b.getSponsorId());
        }
    }

    public static Campaign load(Path variantDir) throws IOException {
        List<FundingPlan> plans = AvroFiles.readAll(variantDir.resolve(CampaignLayout.PLAN), FundingPlan.class);
        if (plans.size() != 1) {
            throw new IOException(
                    variantDir.resolve(CampaignLayout.PLAN) + ": expected one FundingPlan, found " + plans.size());
        }
        List<BatchConfig> batchList = AvroFiles.readAll(variantDir.resolve(CampaignLayout.BATCHES), BatchConfig.class);
        List<FileManifest> manifestList =
                AvroFiles.readAll(variantDir.resolve(CampaignLayout.MANIFESTS), FileManifest.class);
        try {
            return new Campaign(variantDir, plans.get(0), batchList, manifestList);
        } catch (IllegalArgumentException e) {
            throw new IOException(variantDir + ": " + e.getMessage(), e);
        }
    }

    static String key(String slotId, int shard) {
        return slotId + "/" + shard;
    }

    public Path variantDir() {
        return variantDir;
    }

    public FundingPlan plan() {
        return plan;
    }

    public BatchCatalog batches() {
        return batches;
    }

    /** Null when generation wrote no file for this slot and shard. */
    public FileManifest manifest(String slotId, int shard) {
        return manifests.get(key(slotId, shard));
    }

    public BatchConfig batch(int batchId) {
        return batches.get(batchId);
    }

    /** The batch's sponsor as a dense index, -1 for an unknown batch. */
    public int sponsorIndex(int batchId) {
        return batchId > 0 && batchId < sponsorIndexByBatch.length ? sponsorIndexByBatch[batchId] : -1;
    }

    public String sponsorId(int sponsorIndex) {
        return sponsorIds[sponsorIndex];
    }

    public int sponsorCount() {
        return sponsorIds.length;
    }
}
