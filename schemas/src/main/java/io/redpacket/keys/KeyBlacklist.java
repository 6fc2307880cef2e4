package io.redpacket.keys;

import io.redpacket.envelope.EnvelopeLayout;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;

/**
 * Key ids operators have blocked (a leaked key). Changes while running; reads are lock-free so every open
 * can consult it. One bit per possible key id: 8 KiB whatever the ring's size.
 */
public final class KeyBlacklist {
    private final AtomicLongArray bits = new AtomicLongArray((EnvelopeLayout.MAX_KEY_ID >> 6) + 1);

    public static KeyBlacklist of(int... keyIds) {
        KeyBlacklist b = new KeyBlacklist();
        for (int id : keyIds) {
            b.block(id);
        }
        return b;
    }

    public boolean isBlocked(int keyId) {
        if (keyId < 0 || keyId > EnvelopeLayout.MAX_KEY_ID) {
            return false;
        }
        return (bits.get(keyId >> 6) & (1L << keyId)) != 0;
    }

    public void block(int keyId) {
        check(keyId);
        bits.getAndUpdate(keyId >> 6, w -> w | (1L << keyId));
    }

    public void unblock(int keyId) {
        check(keyId);
        bits.getAndUpdate(keyId >> 6, w -> w & ~(1L << keyId));
    }

    public int[] blocked() {
        return IntStream.rangeClosed(0, EnvelopeLayout.MAX_KEY_ID)
                .filter(this::isBlocked)
                .toArray();
    }

    private static void check(int keyId) {
        if (!EnvelopeLayout.validKeyId(keyId)) {
            throw new IllegalArgumentException("key id " + keyId + " (allowed 1.." + EnvelopeLayout.MAX_KEY_ID + ")");
        }
    }
}
