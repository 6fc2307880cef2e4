package io.redpacket.envelope;

import static io.redpacket.envelope.EnvelopeLayout.*;

import java.util.zip.CRC32C;

/** Reads and writes the clear header of a 26-byte envelope record; the ticket is sealed by {@link TicketSealer}. */
public final class EnvelopeRecord {
    private EnvelopeRecord() {}

    public static int version(byte[] rec, int off) {
        return (rec[off + OFF_VERSION] & 0xFF) >>> 4;
    }

    public static int keyId(byte[] rec, int off) {
        return Bytes.getUint16(rec, off + OFF_KEY_ID);
    }

    public static int batchId(byte[] rec, int off) {
        return Bytes.getUint24(rec, off + OFF_BATCH_ID);
    }

    public static int storedChecksum(byte[] rec, int off) {
        return Bytes.getInt(rec, off + OFF_CHECKSUM);
    }

    /** CRC32C over everything but the checksum field: catches corrupted files without any key. */
    public static int computeChecksum(byte[] rec, int off) {
        CRC32C crc = new CRC32C();
        crc.update(rec, off, OFF_CHECKSUM);
        crc.update(rec, off + TICKET_OFFSET, TICKET_BYTES);
        return (int) crc.getValue();
    }

    public static boolean checksumOk(byte[] rec, int off) {
        return storedChecksum(rec, off) == computeChecksum(rec, off);
    }

    /** Writes version, key id and batch id; call {@link #writeChecksum} once the ticket is in place. */
    public static void writeHeader(byte[] rec, int off, int keyId, int batchId) {
        rec[off + OFF_VERSION] = (byte) VERSION_BYTE;
        Bytes.putUint16(rec, off + OFF_KEY_ID, keyId);
        Bytes.putUint24(rec, off + OFF_BATCH_ID, batchId);
    }

    public static void writeChecksum(byte[] rec, int off) {
        Bytes.putInt(rec, off + OFF_CHECKSUM, computeChecksum(rec, off));
    }

    /** Hex of one record, for messages and tests; never logs key material (there is none in a record). */
    public static String hex(byte[] rec, int off) {
        StringBuilder sb = new StringBuilder(RECORD_BYTES * 2);
        for (int i = 0; i < RECORD_BYTES; i++) {
            sb.append(Character.forDigit((rec[off + i] >> 4) & 0xF, 16))
                    .append(Character.forDigit(rec[off + i] & 0xF, 16));
        }
        return sb.toString();
    }
}
