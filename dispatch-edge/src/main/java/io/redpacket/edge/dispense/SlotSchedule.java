package io.redpacket.edge.dispense;

import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The campaign's time axis as the edge follows it: the plan's slots, shifted by an operator countdown
 * correction (the live show runs early or late). A shift moves every slot boundary by the same amount.
 */
public final class SlotSchedule {
    private final List<Slot> slots;
    private final AtomicLong shiftMs = new AtomicLong();

    public SlotSchedule(List<Slot> slots) {
        List<Slot> sorted = new ArrayList<>(slots);
        sorted.sort(Comparator.comparingLong(Slot::getStartMs));
        for (int i = 0; i < sorted.size(); i++) {
            Slot s = sorted.get(i);
            if (s.getEndMs() <= s.getStartMs()) {
                throw new IllegalArgumentException("slot " + s.getSlotId() + ": endMs " + s.getEndMs()
                        + " is not after startMs " + s.getStartMs());
            }
            if (i > 0 && s.getStartMs() < sorted.get(i - 1).getEndMs()) {
                throw new IllegalArgumentException("slot " + s.getSlotId() + " overlaps slot "
                        + sorted.get(i - 1).getSlotId());
            }
        }
        this.slots = List.copyOf(sorted);
    }

    public static SlotSchedule of(FundingPlan plan) {
        return new SlotSchedule(plan.getSlots());
    }

    /** Index of the slot running at {@code nowMs} (shift applied), or -1 between or outside slots. */
    public int slotAt(long nowMs) {
        long t = nowMs - shiftMs.get();
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            if (t >= s.getStartMs() && t < s.getEndMs()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The index a "from the next slot on" decision applies to: the first slot that has not started yet at
     * {@code nowMs}; {@link #size()} when every slot has started.
     */
    public int nextSlotIndex(long nowMs) {
        long t = nowMs - shiftMs.get();
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).getStartMs() > t) {
                return i;
            }
        }
        return slots.size();
    }

    /** Ms until the next slot starts, or -1 when none is left; what a client is told to wait between slots. */
    public long msUntilNextSlot(long nowMs) {
        int next = nextSlotIndex(nowMs);
        return next < slots.size() ? slots.get(next).getStartMs() + shiftMs.get() - nowMs : -1;
    }

    public Slot slot(int index) {
        return slots.get(index);
    }

    public int size() {
        return slots.size();
    }

    public int indexOf(String slotId) {
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i).getSlotId().equals(slotId)) {
                return i;
            }
        }
        return -1;
    }

    /** Positive: the show runs late, every slot starts later. */
    public long shiftBy(long deltaMs) {
        return shiftMs.addAndGet(deltaMs);
    }

    public long shiftMs() {
        return shiftMs.get();
    }
}
