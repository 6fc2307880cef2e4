package io.redpacket.edge.state;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Envelope ids this edge recently enqueued, so a client retry or a replay of the same token by the same user is
 * answered without a second open event. Bounded and lossy (direct-mapped, 8 bytes per entry): an evicted id is
 * simply published again and settlement's dedupe by envelope id makes that harmless.
 */
public final class OpenedMemory {
    private final AtomicLongArray ids;
    private final int mask;

    private final KeyedHash hash = KeyedHash.random();

    public OpenedMemory(int capacityPowerOfTwo) {
        this.ids = new AtomicLongArray(capacityPowerOfTwo);
        this.mask = capacityPowerOfTwo - 1;
        for (int i = 0; i < capacityPowerOfTwo; i++) {
            ids.set(i, -1);
        }
    }

    private int slot(long id) {
        return (int) hash.hash(id) & mask;
    }

    public boolean contains(long envelopeId) {
        return ids.get(slot(envelopeId)) == envelopeId;
    }

    public void add(long envelopeId) {
        ids.set(slot(envelopeId), envelopeId);
    }
}
