package io.redpacket.envelope;

import static io.redpacket.envelope.EnvelopeLayout.*;

import io.redpacket.avro.RejectReason;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * Opens envelope records with the keys this process is whitelisted for, honouring the live blacklist.
 * Any input, however damaged, yields an {@link OpenedTicket}: never an exception. A ticket whose ciphertext
 * was changed decrypts to a random block that must still match {@link EnvelopeLayout#REDUNDANCY_BITS} fixed
 * bits, so it passes with probability at most 2^-64. One instance per thread.
 */
public final class TicketOpener {
    private final KeyRing ring;
    private final KeyBlacklist blacklist;
    private final Cipher[] ciphers;
    private final byte[] block = new byte[TICKET_BYTES];

    public TicketOpener(KeyRing ring, KeyBlacklist blacklist) {
        this.ring = ring;
        this.blacklist = blacklist;
        this.ciphers = new Cipher[ring.maxKeyId() + 1];
    }

    public OpenedTicket open(byte[] rec, int off) {
        if (rec == null || off < 0 || off > rec.length - RECORD_BYTES) {
            return OpenedTicket.rejected(RejectReason.MALFORMED_RECORD);
        }
        return openUnchecked(rec, off);
    }

    /** Opens a record known to lie within the array. */
    OpenedTicket openUnchecked(byte[] rec, int off) {
        if ((rec[off + OFF_VERSION] & 0xFF) != VERSION_BYTE) {
            return OpenedTicket.rejected(RejectReason.MALFORMED_RECORD);
        }
        if (!EnvelopeRecord.checksumOk(rec, off)) {
            return OpenedTicket.rejected(RejectReason.RECORD_CHECKSUM);
        }
        int keyId = EnvelopeRecord.keyId(rec, off);
        int batchId = EnvelopeRecord.batchId(rec, off);
        Cipher cipher = cipher(keyId);
        if (cipher == null) {
            return OpenedTicket.rejected(RejectReason.UNKNOWN_KEY);
        }
        if (blacklist.isBlocked(keyId)) {
            return OpenedTicket.rejected(RejectReason.BLACKLISTED_KEY);
        }
        try {
            cipher.doFinal(rec, off + TICKET_OFFSET, TICKET_BYTES, block, 0);
        } catch (GeneralSecurityException e) {
            return OpenedTicket.rejected(RejectReason.TICKET_NOT_AUTHENTIC);
        }
        long hi = Bytes.getLong(block, 0);
        long lo = Bytes.getLong(block, 8);
        long amount = TicketPlain.amountFen(hi);
        if (TicketPlain.integrityTag(lo) != INTEGRITY_TAG
                || TicketPlain.batchId(lo) != batchId
                || TicketPlain.keyId(lo) != keyId
                || amount == 0) {
            return OpenedTicket.rejected(RejectReason.TICKET_NOT_AUTHENTIC);
        }
        return OpenedTicket.valid(TicketPlain.envelopeId(hi), amount, batchId, keyId);
    }

    private Cipher cipher(int keyId) {
        if (keyId >= ciphers.length || keyId <= 0) {
            return null;
        }
        Cipher c = ciphers[keyId];
        if (c == null && ring.hasTicketKey(keyId)) {
            try {
                c = Cipher.getInstance("AES/ECB/NoPadding");
                c.init(Cipher.DECRYPT_MODE, ring.ticketKey(keyId));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES unavailable", e);
            }
            ciphers[keyId] = c;
        }
        return c;
    }
}
