package io.redpacket.campaign;

import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;

/** The campaign's time axis after the countdown shift: wall-clock start and end, and which slot runs when. */
record CampaignClock(long startMs, long endMs, FundingPlan plan) {
    double fraction(long nowMs) {
        return Math.max(0, Math.min(1, (nowMs - startMs) / (double) (endMs - startMs)));
    }

    private long shift() {
        return startMs - plan.getSlots().get(0).getStartMs();
    }

    String slotAt(long nowMs) {
        long t = nowMs - shift();
        for (Slot slot : plan.getSlots()) {
            if (t >= slot.getStartMs() && t < slot.getEndMs()) {
                return slot.getSlotId();
            }
        }
        return "-";
    }

    /** The slot after the one running now, or null. */
    String nextSlot(long nowMs) {
        long t = nowMs - shift();
        for (Slot slot : plan.getSlots()) {
            if (slot.getStartMs() > t) {
                return slot.getSlotId();
            }
        }
        return null;
    }
}
