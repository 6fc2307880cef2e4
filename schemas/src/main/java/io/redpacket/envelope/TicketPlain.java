package io.redpacket.envelope;

import static io.redpacket.envelope.EnvelopeLayout.*;

/**
 * Packs and unpacks the 128-bit ticket plaintext as two longs (hi = bits 127..64, lo = bits 63..0),
 * so that sealing and opening never allocate.
 */
public final class TicketPlain {
    private TicketPlain() {}

    /** Bits 127..64: envelope id (40) then amount (24). */
    public static long hi(long envelopeId, long amountFen) {
        return (envelopeId << AMOUNT_BITS) | amountFen;
    }

    /** Bits 63..0: batch id (24), key id (16), integrity tag (24). */
    public static long lo(int batchId, int keyId) {
        return ((long) batchId << (KEY_ID_BITS + INTEGRITY_BITS)) | ((long) keyId << INTEGRITY_BITS) | INTEGRITY_TAG;
    }

    public static long envelopeId(long hi) {
        return hi >>> AMOUNT_BITS;
    }

    public static long amountFen(long hi) {
        return hi & MAX_AMOUNT_FEN;
    }

    public static int batchId(long lo) {
        return (int) (lo >>> (KEY_ID_BITS + INTEGRITY_BITS)) & MAX_BATCH_ID;
    }

    public static int keyId(long lo) {
        return (int) (lo >>> INTEGRITY_BITS) & MAX_KEY_ID;
    }

    public static int integrityTag(long lo) {
        return (int) lo & ((1 << INTEGRITY_BITS) - 1);
    }
}
