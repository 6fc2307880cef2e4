package io.redpacket.settlement.rules;

import io.redpacket.avro.RejectReason;
import java.util.List;

/**
 * The per-user caps across all edges: at most {@value #MAX_PER_USER} envelopes per user and at most one per
 * sponsor per user. Edges check the same caps from local memory only; settlement is where they hold across
 * edges, because every open of a user meets in one keyed state.
 */
public final class CapRule {
    public static final int MAX_PER_USER = 3;

    private CapRule() {}

    /**
     * @param creditedSponsors sponsor ids of the envelopes already accepted for this user (one entry each)
     * @return null when the open is within the caps, else the cap it breaks
     */
    public static RejectReason check(List<String> creditedSponsors, String sponsorId) {
        if (creditedSponsors.size() >= MAX_PER_USER) {
            return RejectReason.USER_CAP;
        }
        if (creditedSponsors.contains(sponsorId)) {
            return RejectReason.SPONSOR_CAP;
        }
        return null;
    }
}
