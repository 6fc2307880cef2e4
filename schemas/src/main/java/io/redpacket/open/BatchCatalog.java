package io.redpacket.open;

import io.redpacket.avro.BatchConfig;
import io.redpacket.envelope.EnvelopeLayout;
import java.util.Collection;

/** Batch id -> batch config, as generation wrote it. Batch ids are dense, so this is an array lookup. */
public final class BatchCatalog {
    private final BatchConfig[] byId;
    private final int size;

    private BatchCatalog(BatchConfig[] byId, int size) {
        this.byId = byId;
        this.size = size;
    }

    public static BatchCatalog of(Collection<BatchConfig> batches) {
        int max = 0;
        for (BatchConfig b : batches) {
            if (!EnvelopeLayout.validBatchId(b.getBatchId())) {
                throw new IllegalArgumentException(
                        "batchId: " + b.getBatchId() + " (allowed 1.." + EnvelopeLayout.MAX_BATCH_ID + ")");
            }
            max = Math.max(max, b.getBatchId());
        }
        BatchConfig[] byId = new BatchConfig[max + 1];
        for (BatchConfig b : batches) {
            if (byId[b.getBatchId()] != null) {
                throw new IllegalArgumentException("batchId: " + b.getBatchId() + " appears twice");
            }
            byId[b.getBatchId()] = b;
        }
        return new BatchCatalog(byId, batches.size());
    }

    /** Null when unknown. */
    public BatchConfig get(int batchId) {
        return batchId > 0 && batchId < byId.length ? byId[batchId] : null;
    }

    public int size() {
        return size;
    }

    /** Whether the ticket's fields are ones this batch could have generated. */
    public static boolean envelopeInBatch(BatchConfig b, long envelopeId) {
        return envelopeId >= b.getFirstEnvelopeId() && envelopeId < b.getFirstEnvelopeId() + b.getCount();
    }
}
