package io.redpacket.generation.plan;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.FundingPlan;
import java.util.List;

/**
 * One variant laid out for generation: its batches (dense ids 1..N, contiguous envelope id ranges), the file
 * of every slot x shard with the pieces of batches it receives, and the key range each file seals with.
 * Key ids {@code [firstKeyId, nextKeyId)} and envelope ids {@code [firstEnvelopeId, nextEnvelopeId)} are this
 * variant's alone.
 */
public record VariantPlan(
        String campaignId,
        String variant,
        FundingPlan plan,
        List<BatchConfig> batches,
        List<FileTask> files,
        int firstKeyId,
        int nextKeyId,
        long firstEnvelopeId,
        long nextEnvelopeId,
        int shards,
        long seed) {

    public long envelopeCount() {
        return nextEnvelopeId - firstEnvelopeId;
    }

    public long amountFen() {
        return batches.stream().mapToLong(BatchConfig::getTotalFen).sum();
    }

    public int keysUsed() {
        return nextKeyId - firstKeyId;
    }
}
