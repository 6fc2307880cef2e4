package io.redpacket.envelope;

import static io.redpacket.envelope.EnvelopeLayout.*;

import io.redpacket.keys.KeyRing;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * Seals tickets into 26-byte envelope records with AES-128 on the single block (JCE's AES, which HotSpot runs
 * on AES-NI; see schemas/README.md for the JCE vs BouncyCastle measurements). Bulk sealing encrypts many
 * blocks per cipher call, which is where the throughput comes from. One instance per thread.
 */
public final class TicketSealer {
    private final KeyRing ring;
    private final Cipher[] ciphers;
    private byte[] plain = new byte[0];
    private byte[] sealed = new byte[0];

    public TicketSealer(KeyRing ring) {
        this.ring = ring;
        this.ciphers = new Cipher[ring.maxKeyId() + 1];
    }

    /** Seals one envelope into {@code out[off .. off+26)}. */
    public void seal(long envelopeId, long amountFen, int batchId, int keyId, byte[] out, int off) {
        checkCapacity(envelopeId, amountFen, batchId, keyId);
        byte[] block = new byte[TICKET_BYTES];
        Bytes.putLong(block, 0, TicketPlain.hi(envelopeId, amountFen));
        Bytes.putLong(block, 8, TicketPlain.lo(batchId, keyId));
        try {
            cipher(keyId).doFinal(block, 0, TICKET_BYTES, out, off + TICKET_OFFSET);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES failed for key " + keyId, e);
        }
        EnvelopeRecord.writeHeader(out, off, keyId, batchId);
        EnvelopeRecord.writeChecksum(out, off);
    }

    /**
     * Seals {@code n} envelopes, all under {@code keyId}, taking element {@code from + i} of each array and
     * writing record i at {@code out[outOff + 26 i]}.
     */
    public void sealBulk(
            int keyId, long[] envelopeIds, long[] amountsFen, int[] batchIds, int from, int n, byte[] out, int outOff) {
        int bytes = n * TICKET_BYTES;
        if (plain.length < bytes) {
            plain = new byte[bytes];
            sealed = new byte[bytes];
        }
        for (int i = 0; i < n; i++) {
            long id = envelopeIds[from + i];
            long amount = amountsFen[from + i];
            int batch = batchIds[from + i];
            checkCapacity(id, amount, batch, keyId);
            Bytes.putLong(plain, i * TICKET_BYTES, TicketPlain.hi(id, amount));
            Bytes.putLong(plain, i * TICKET_BYTES + 8, TicketPlain.lo(batch, keyId));
        }
        try {
            cipher(keyId).doFinal(plain, 0, bytes, sealed, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES failed for key " + keyId, e);
        }
        for (int i = 0; i < n; i++) {
            int rec = outOff + i * RECORD_BYTES;
            EnvelopeRecord.writeHeader(out, rec, keyId, batchIds[from + i]);
            System.arraycopy(sealed, i * TICKET_BYTES, out, rec + TICKET_OFFSET, TICKET_BYTES);
            EnvelopeRecord.writeChecksum(out, rec);
        }
    }

    private Cipher cipher(int keyId) throws GeneralSecurityException {
        Cipher c = keyId < ciphers.length ? ciphers[keyId] : null;
        if (c == null) {
            if (!ring.hasTicketKey(keyId)) {
                throw new IllegalArgumentException("keyId: " + keyId + " is not in the sealing key ring " + ring);
            }
            c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, ring.ticketKey(keyId));
            ciphers[keyId] = c;
        }
        return c;
    }
}
