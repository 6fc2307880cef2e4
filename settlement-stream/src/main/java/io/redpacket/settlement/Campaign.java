package io.redpacket.settlement;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The parts of a generated variant settlement needs: batch configs and when the campaign ends. */
public record Campaign(Path variantDir, List<BatchConfig> batches, long endMs) {
    public static Campaign load(Path variantDir) throws IOException {
        List<BatchConfig> batches = AvroFiles.readAll(variantDir.resolve(CampaignLayout.BATCHES), BatchConfig.class);
        List<FundingPlan> plans = AvroFiles.readAll(variantDir.resolve(CampaignLayout.PLAN), FundingPlan.class);
        if (plans.size() != 1) {
            throw new IOException(variantDir.resolve(CampaignLayout.PLAN) + ": expected one FundingPlan, found " + plans.size());
        }
        long end = plans.get(0).getSlots().stream().mapToLong(Slot::getEndMs).max()
                .orElseThrow(() -> new IOException(variantDir.resolve(CampaignLayout.PLAN) + ": slots: empty"));
        return new Campaign(variantDir, batches, end);
    }
}
