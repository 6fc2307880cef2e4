package io.redpacket.settlement.rules;

import io.redpacket.avro.RejectReason;
import java.util.List;

/**
 * The per-user caps across all edges: at most {@value #MAX_PER_USER} envelopes per user and at most one per
 * sponsor per user. Edges check the same caps from local memory only; settlement is where they hold across
 * edges, because every open of a user meets in one keyed state. What is kept per user is one entry per accepted
 * envelope ({@link #entry}): its sponsor for the caps, its id to recognise a redelivery of the open that took it.
 */
public final class CapRule {
    public static final int MAX_PER_USER = 3;

    private CapRule() {}

    /** The entry of an envelope accepted for a user: {@code "<envelopeId> <sponsorId>"}. */
    public static String entry(long envelopeId, String sponsorId) {
        return envelopeId + " " + sponsorId;
    }

    /**
     * @param accepted entries ({@link #entry}) of the envelopes already accepted for this user
     * @return null when the open is within the caps, else the cap it breaks
     */
    public static RejectReason check(List<String> accepted, String sponsorId) {
        if (accepted.size() >= MAX_PER_USER) {
            return RejectReason.USER_CAP;
        }
        for (String e : accepted) {
            if (e.regionMatches(e.indexOf(' ') + 1, sponsorId, 0, sponsorId.length())
                    && e.length() - e.indexOf(' ') - 1 == sponsorId.length()) {
                return RejectReason.SPONSOR_CAP;
            }
        }
        return null;
    }

    /** Whether this user was accepted the envelope: a redelivery of the open that took it needs no new answer. */
    public static boolean holds(List<String> accepted, long envelopeId) {
        String prefix = envelopeId + " ";
        for (String e : accepted) {
            if (e.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
