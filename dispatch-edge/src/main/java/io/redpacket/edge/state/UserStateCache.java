package io.redpacket.edge.state;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The edge's own memory of recent winners, bounded whatever the crowd size and free of objects: a direct-mapped
 * table of (64-bit keyed user-id hash, see {@link KeyedHash}, packed {@link ClientState}) pairs in one {@code long[]}, 16 bytes per entry
 * (2^18 entries by default: 4 MiB; 2^22: 64 MiB). A newcomer overwrites the occupant of its slot; an evicted
 * user falls back to the state blob their client carries. Holding no objects matters at 100,000 shakes/s: the
 * table is never copied by the young-generation collector. Writers and readers race without locks; a reader
 * that sees the key change while reading treats the user as unknown (the blob still applies).
 */
public final class UserStateCache {
    private static final long EMPTY = 0;

    private final AtomicLongArray table;
    private final int mask;
    private final KeyedHash hash;

    public UserStateCache(int capacityPowerOfTwo) {
        this(capacityPowerOfTwo, KeyedHash.random());
    }

    /** @param hash keyed with a secret per process: nobody can pick a user id that lands on a given user's slot */
    public UserStateCache(int capacityPowerOfTwo, KeyedHash hash) {
        if (capacityPowerOfTwo < 1 || Integer.bitCount(capacityPowerOfTwo) != 1) {
            throw new IllegalArgumentException("cache capacity " + capacityPowerOfTwo + " is not a power of two");
        }
        this.table = new AtomicLongArray(2 * capacityPowerOfTwo);
        this.mask = capacityPowerOfTwo - 1;
        this.hash = hash;
    }

    private static long key(long userHash) {
        return userHash == EMPTY ? 1 : userHash;
    }

    private int slot(long key) {
        return (int) (key ^ (key >>> 32)) & mask;
    }

    /** Null when the user is not remembered. */
    public ClientState get(String userId) {
        return get(hash.hash(userId));
    }

    /** {@link #get(String)} for a user id already hashed with this cache's {@link KeyedHash} (one hash per request). */
    public ClientState get(long userHash) {
        long key = key(userHash);
        int i = 2 * slot(key);
        if (table.get(i) != key) {
            return null;
        }
        long packed = table.get(i + 1);
        return table.get(i) == key ? ClientState.unpack(packed) : null;
    }

    public void put(String userId, ClientState state) {
        put(hash.hash(userId), state);
    }

    public void put(long userHash, ClientState state) {
        long key = key(userHash);
        int i = 2 * slot(key);
        table.set(i, EMPTY);
        table.set(i + 1, state.pack());
        table.set(i, key);
    }

    public int capacity() {
        return mask + 1;
    }
}
