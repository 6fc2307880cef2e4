package io.redpacket.settlement.rules;

/**
 * Which envelopes of a block have been opened, one bit each. Envelope ids are dense (batches hand out
 * contiguous ranges), so dedupe keys its state by block of {@value #BLOCK_SIZE} ids instead of by envelope:
 * 1e9 envelopes need about 1e6 keys of 128 bytes (125 MB of state in all, one cleanup timer per block)
 * instead of 1e9 keys and 1e9 timers.
 */
public final class EnvelopeBitmap {
    public static final int BLOCK_BITS = 10;
    public static final int BLOCK_SIZE = 1 << BLOCK_BITS;
    public static final int BYTES = BLOCK_SIZE / 8;

    private EnvelopeBitmap() {}

    /** The dedupe key of an envelope id. */
    public static long blockOf(long envelopeId) {
        return envelopeId >>> BLOCK_BITS;
    }

    public static byte[] empty() {
        return new byte[BYTES];
    }

    public static boolean contains(byte[] bitmap, long envelopeId) {
        int bit = (int) (envelopeId & (BLOCK_SIZE - 1));
        return (bitmap[bit >>> 3] & (1 << (bit & 7))) != 0;
    }

    public static void add(byte[] bitmap, long envelopeId) {
        int bit = (int) (envelopeId & (BLOCK_SIZE - 1));
        bitmap[bit >>> 3] |= (byte) (1 << (bit & 7));
    }
}
