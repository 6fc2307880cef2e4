package io.redpacket.edge.dispense;

import java.util.concurrent.atomic.LongAdder;

/** One (slot, shard) file and its persisted cursor: hands out each intact record at most once. */
public final class ShardDispenser {
    private final String slotId;
    private final int shard;
    private final EnvelopeFile file;
    private final ReservedCursor cursor;
    private final LongAdder corrupt = new LongAdder();

    public ShardDispenser(String slotId, int shard, EnvelopeFile file, ReservedCursor cursor) {
        this.slotId = slotId;
        this.shard = shard;
        this.file = file;
        this.cursor = cursor;
    }

    /**
     * Copies the next intact record into {@code out[off..off+26)}; false when the file is used up. Corrupt
     * records are skipped and counted (they stay in the file for reconciliation to report).
     */
    public boolean next(byte[] out, int off) {
        while (true) {
            long idx = cursor.take();
            if (idx < 0) {
                return false;
            }
            file.read(idx, out, off);
            if (EnvelopeFile.intact(out, off)) {
                return true;
            }
            corrupt.increment();
        }
    }

    public boolean exhausted() {
        return cursor.exhausted();
    }

    public String slotId() {
        return slotId;
    }

    public int shard() {
        return shard;
    }

    public long corruptRecords() {
        return corrupt.sum();
    }

    public ReservedCursor cursor() {
        return cursor;
    }

    public EnvelopeFile file() {
        return file;
    }
}
