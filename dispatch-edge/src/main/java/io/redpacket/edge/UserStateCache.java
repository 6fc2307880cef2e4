package io.redpacket.edge;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The edge's own memory of recent winners, bounded whatever the crowd size: a direct-mapped table (one entry
 * per hash slot, a newcomer overwrites the old occupant). Lossy by design: an evicted user falls back to the
 * state blob their client carries. Only users who won something are stored, so the table holds the winners
 * of the last few minutes at campaign rates (2^20 entries ~ 100 MB worst case, default 2^18).
 */
public final class UserStateCache {
    private record Entry(String userId, ClientState state) {}

    private final AtomicReferenceArray<Entry> table;
    private final int mask;

    public UserStateCache(int capacityPowerOfTwo) {
        if (capacityPowerOfTwo < 1 || Integer.bitCount(capacityPowerOfTwo) != 1) {
            throw new IllegalArgumentException("cache capacity " + capacityPowerOfTwo + " is not a power of two");
        }
        this.table = new AtomicReferenceArray<>(capacityPowerOfTwo);
        this.mask = capacityPowerOfTwo - 1;
    }

    private int slot(String userId) {
        int h = userId.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }

    /** Null when the user is not remembered. */
    public ClientState get(String userId) {
        Entry e = table.get(slot(userId));
        return e != null && e.userId.equals(userId) ? e.state : null;
    }

    public void put(String userId, ClientState state) {
        table.set(slot(userId), new Entry(userId, state));
    }

    public int capacity() {
        return mask + 1;
    }
}
