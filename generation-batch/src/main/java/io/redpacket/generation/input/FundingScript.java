package io.redpacket.generation.input;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.Slot;
import java.util.List;
import java.util.Set;

/** A parsed funding script: the campaign and its variants, each entry with the line it came from. */
public record FundingScript(String file, String campaignId, List<Variant> variants) {

    public record SlotEntry(Slot slot, int line) {}

    public record AllocationEntry(Allocation allocation, int line, String field) {}

    /**
     * One variant. {@code unreadableSponsors} lists sponsors with an allocation that could not be read, and
     * {@code unreadableAllocations} says whether some allocation could not even be tied to a sponsor: the
     * total-vs-parts check skips what it cannot judge rather than report a difference the user did not cause.
     */
    public record Variant(
            String name,
            int line,
            String field,
            List<SlotEntry> slots,
            List<AllocationEntry> allocations,
            Set<String> unreadableSponsors,
            boolean unreadableAllocations) {}
}
