package io.redpacket.generation.plan;

import java.io.Serializable;

/** What a generated envelope file contains, counted while it was written; the driver turns it into a FileManifest. */
public record FileResult(
        int order,
        String variant,
        String slotId,
        int shard,
        String fileName,
        long recordCount,
        long amountFen,
        int[] keyIds,
        long[] keyAmountsFen,
        int[] batchIds,
        long[] batchCounts,
        long[] batchAmountsFen,
        String checksum,
        long bytes)
        implements Serializable {}
