package io.redpacket.generation.plan;

import java.io.Serializable;

/**
 * Everything needed to generate one envelope file (one slot x shard) by itself, on any worker, any number of
 * times with the same bytes: the pieces of batches it holds, its key range, and the keys of its randomness.
 * Piece i is envelopes {@code [batchIndexFrom[i], batchIndexFrom[i] + counts[i])} of batch {@code batchIds[i]},
 * whose envelope ids start at {@code firstIds[i]}, worth exactly {@code totals[i]} fen.
 */
public final class FileTask implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int order;
    public final String variant;
    public final String slotId;
    public final int shard;
    public final String fileName;
    public final int[] batchIds;
    public final long[] batchIndexFrom;
    public final long[] firstIds;
    public final long[] counts;
    public final long[] totals;
    public final long[] mins;
    public final long[] maxs;
    /** Key range of this file; 0..-1 when it is empty. */
    public final int firstKeyId;

    public final int lastKeyId;
    public final long keyCapFen;
    /** Key of all randomness of the variant (seed and variant name). */
    public final long variantKey;
    /** Records shuffled together; bounds a task's memory (about 12 bytes per record). */
    public final int blockSize;

    public FileTask(
            int order,
            String variant,
            String slotId,
            int shard,
            String fileName,
            int[] batchIds,
            long[] batchIndexFrom,
            long[] firstIds,
            long[] counts,
            long[] totals,
            long[] mins,
            long[] maxs,
            int firstKeyId,
            int lastKeyId,
            long keyCapFen,
            long variantKey,
            int blockSize) {
        this.order = order;
        this.variant = variant;
        this.slotId = slotId;
        this.shard = shard;
        this.fileName = fileName;
        this.batchIds = batchIds;
        this.batchIndexFrom = batchIndexFrom;
        this.firstIds = firstIds;
        this.counts = counts;
        this.totals = totals;
        this.mins = mins;
        this.maxs = maxs;
        this.firstKeyId = firstKeyId;
        this.lastKeyId = lastKeyId;
        this.keyCapFen = keyCapFen;
        this.variantKey = variantKey;
        this.blockSize = blockSize;
    }

    public int pieces() {
        return batchIds.length;
    }

    public long recordCount() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    public long amountFen() {
        long n = 0;
        for (long t : totals) {
            n += t;
        }
        return n;
    }

    public int keyCount() {
        return lastKeyId - firstKeyId + 1;
    }
}
