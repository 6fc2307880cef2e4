package io.redpacket.envelope;

/**
 * The binary layout of an envelope record and of its sealed ticket, and the capacities it allows.
 * All multi-byte fields are big-endian. The authoritative description with the reasoning is
 * {@code schemas/README.md}; this class is its single implementation.
 *
 * <pre>
 * record (26 bytes)
 *   [0]      format version (high nibble) | flags (low nibble, 0)
 *   [1..2]   key id            uint16, 1..65535 (0 is never issued)
 *   [3..5]   batch id          uint24, 1..16777215 (0 is never issued)
 *   [6..9]   CRC32C over bytes [0..5] and [10..25]
 *   [10..25] sealed ticket     AES-128(key[keyId], ticket plaintext), one block
 *
 * ticket plaintext (16 bytes = 128 bits, most significant first)
 *   40 bits  envelope id       0 .. 2^40-1
 *   24 bits  amount in fen     1 .. 2^24-1
 *   24 bits  batch id          must equal the header's
 *   16 bits  key id            must equal the header's
 *   24 bits  integrity tag     the constant {@link #INTEGRITY_TAG}
 * </pre>
 */
public final class EnvelopeLayout {
    private EnvelopeLayout() {}

    public static final int RECORD_BYTES = 26;
    public static final int HEADER_BYTES = 10;
    public static final int TICKET_BYTES = 16;
    public static final int TICKET_OFFSET = HEADER_BYTES;

    public static final int FORMAT_VERSION = 1;
    public static final int VERSION_BYTE = FORMAT_VERSION << 4;

    public static final int OFF_VERSION = 0;
    public static final int OFF_KEY_ID = 1;
    public static final int OFF_BATCH_ID = 3;
    public static final int OFF_CHECKSUM = 6;

    public static final int ENVELOPE_ID_BITS = 40;
    public static final int AMOUNT_BITS = 24;
    public static final int BATCH_ID_BITS = 24;
    public static final int KEY_ID_BITS = 16;
    public static final int INTEGRITY_BITS = 24;

    /** Constant plaintext bits; with batch id and key id bound to the clear header, 64 bits of redundancy. */
    public static final int INTEGRITY_TAG = 0xE5_1A_C7;

    public static final long MAX_ENVELOPE_ID = (1L << ENVELOPE_ID_BITS) - 1;
    public static final long MAX_ENVELOPES = 1L << ENVELOPE_ID_BITS;
    public static final long MAX_AMOUNT_FEN = (1L << AMOUNT_BITS) - 1;
    public static final int MAX_BATCH_ID = (1 << BATCH_ID_BITS) - 1;
    public static final int MAX_KEY_ID = (1 << KEY_ID_BITS) - 1;

    /**
     * Redundant plaintext bits a forged or modified ciphertext must hit by chance:
     * the integrity tag plus batch id and key id, which must match the clear header.
     */
    public static final int REDUNDANCY_BITS = INTEGRITY_BITS + BATCH_ID_BITS + KEY_ID_BITS;

    public static boolean validEnvelopeId(long id) {
        return id >= 0 && id <= MAX_ENVELOPE_ID;
    }

    public static boolean validAmount(long fen) {
        return fen >= 1 && fen <= MAX_AMOUNT_FEN;
    }

    public static boolean validBatchId(long batchId) {
        return batchId >= 1 && batchId <= MAX_BATCH_ID;
    }

    public static boolean validKeyId(long keyId) {
        return keyId >= 1 && keyId <= MAX_KEY_ID;
    }

    /** Checks one ticket's fields against the format's capacity; the message names the field and its limit. */
    public static void checkCapacity(long envelopeId, long amountFen, long batchId, long keyId) {
        if (!validEnvelopeId(envelopeId)) {
            throw new CapacityException("envelopeId", envelopeId, "0.." + MAX_ENVELOPE_ID);
        }
        if (!validAmount(amountFen)) {
            throw new CapacityException("amountFen", amountFen, "1.." + MAX_AMOUNT_FEN);
        }
        if (!validBatchId(batchId)) {
            throw new CapacityException("batchId", batchId, "1.." + MAX_BATCH_ID);
        }
        if (!validKeyId(keyId)) {
            throw new CapacityException("keyId", keyId, "1.." + MAX_KEY_ID);
        }
    }
}
