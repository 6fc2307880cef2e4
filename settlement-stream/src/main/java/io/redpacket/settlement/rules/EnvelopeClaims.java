package io.redpacket.settlement.rules;

import io.redpacket.envelope.EnvelopeLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What settlement holds per pre-generated envelope and how an open is judged against it: the exact record
 * generation wrote, replaced by the id of the open event that claimed it. So the check "is this the record
 * generation wrote?" and "was this envelope already claimed?" are one lookup, and an identical redelivery of the
 * claiming event (same event id) is told apart from another open of the same envelope.
 *
 * <p>Values (one per envelope, the state's map value):
 * <pre>
 *   [0] record(26)                 loaded, not claimed
 *   [1] eventId (UTF-8)            claimed by that open event
 *   [2] record(26) eventId (UTF-8) not claimed; that open event was refused under a blacklisted key
 * </pre>
 * Envelope ids are dense (batches hand out contiguous ranges), so state is keyed by block of
 * {@value #BLOCK_SIZE} ids with the id's low bits as map key: about 1e6 keys at 1e9 envelopes.
 */
public final class EnvelopeClaims {
    public static final int BLOCK_BITS = 10;
    public static final int BLOCK_SIZE = 1 << BLOCK_BITS;

    private static final byte LOADED = 0;
    private static final byte CLAIMED = 1;
    private static final byte REFUSED = 2;
    private static final int RECORD = EnvelopeLayout.RECORD_BYTES;

    private EnvelopeClaims() {}

    /** How the claim step answers an open. */
    public enum Verdict {
        /** The first acceptable open of the envelope: it claims it and goes on to the caps. */
        CLAIM,
        /** The very open event that claimed the envelope, delivered again: no new answer at all. */
        REDELIVERY,
        /** Generation wrote no record with this id. */
        NOT_PREGENERATED,
        /** Generation wrote another record under this id. */
        RECORD_MISMATCH,
        /** Another open event already claimed the envelope. */
        DUPLICATE_ENVELOPE,
        /** The ticket's key is blacklisted, or this event was refused as such before. */
        BLACKLISTED_KEY
    }

    /** The claim step's key of an envelope id. */
    public static long blockOf(long envelopeId) {
        return envelopeId >>> BLOCK_BITS;
    }

    /** The map key of an envelope id within its block. */
    public static int slotOf(long envelopeId) {
        return (int) (envelopeId & (BLOCK_SIZE - 1));
    }

    /** The value of a freshly loaded envelope record. */
    public static byte[] loaded(byte[] record) {
        if (record.length != RECORD) {
            throw new IllegalArgumentException("an envelope record has " + RECORD + " bytes, not " + record.length);
        }
        byte[] v = new byte[1 + RECORD];
        v[0] = LOADED;
        System.arraycopy(record, 0, v, 1, RECORD);
        return v;
    }

    /**
     * Judges an open of an envelope.
     *
     * @param stored     what is held for the envelope id, null if generation wrote no record with it
     * @param record     the 26-byte record the open's token carried
     * @param keyBlocked whether the ticket's key is blacklisted right now
     */
    public static Verdict judge(byte[] stored, byte[] record, String eventId, boolean keyBlocked) {
        if (stored == null) {
            return Verdict.NOT_PREGENERATED;
        }
        if (stored[0] == CLAIMED) {
            return sameEvent(stored, 1, eventId) ? Verdict.REDELIVERY : Verdict.DUPLICATE_ENVELOPE;
        }
        if (!Arrays.equals(stored, 1, 1 + RECORD, record, 0, RECORD)) {
            return Verdict.RECORD_MISMATCH;
        }
        if (stored[0] == REFUSED && sameEvent(stored, 1 + RECORD, eventId)) {
            // a redelivery gets the answer its first delivery got, even if the key has been lifted since
            return Verdict.BLACKLISTED_KEY;
        }
        return keyBlocked ? Verdict.BLACKLISTED_KEY : Verdict.CLAIM;
    }

    /** What to hold after {@code verdict}; the same array when nothing changes. */
    public static byte[] after(byte[] stored, Verdict verdict, String eventId) {
        return switch (verdict) {
            case CLAIM -> tagged(CLAIMED, null, eventId);
            case BLACKLISTED_KEY ->
                stored[0] == REFUSED && sameEvent(stored, 1 + RECORD, eventId)
                        ? stored
                        : tagged(REFUSED, Arrays.copyOfRange(stored, 1, 1 + RECORD), eventId);
            default -> stored;
        };
    }

    public static boolean isClaimed(byte[] stored) {
        return stored != null && stored[0] == CLAIMED;
    }

    private static byte[] tagged(byte tag, byte[] record, String eventId) {
        byte[] id = eventId.getBytes(StandardCharsets.UTF_8);
        int r = record == null ? 0 : RECORD;
        byte[] v = new byte[1 + r + id.length];
        v[0] = tag;
        if (record != null) {
            System.arraycopy(record, 0, v, 1, RECORD);
        }
        System.arraycopy(id, 0, v, 1 + r, id.length);
        return v;
    }

    private static boolean sameEvent(byte[] stored, int from, String eventId) {
        byte[] id = eventId.getBytes(StandardCharsets.UTF_8);
        return Arrays.equals(stored, from, stored.length, id, 0, id.length);
    }
}
