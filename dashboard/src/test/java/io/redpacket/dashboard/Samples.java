package io.redpacket.dashboard;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.EnvelopeType;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.LiveMetric;
import io.redpacket.avro.Slot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A small script (two 60 s slots, two sponsors, a cash and a coupon channel) and LiveMetric builders. */
final class Samples {
    static final long T0 = 1_900_000_000_000L;

    private Samples() {}

    static ScriptPlan plan() {
        FundingPlan p = FundingPlan.newBuilder()
                .setCampaignId("test-campaign")
                .setVariant("main")
                .setSlots(List.of(new Slot("s1", T0, T0 + 60_000), new Slot("s2", T0 + 60_000, T0 + 120_000)))
                .setAllocations(List.of(
                        new Allocation("s1", "SP1", EnvelopeType.PICTURE, 100_000L, 100L, 500L, 2000L, "cash"),
                        new Allocation("s2", "SP1", EnvelopeType.VIDEO, 300_000L, 100L, 500L, 5000L, "cash"),
                        new Allocation("s2", "SP2", EnvelopeType.VIDEO, 50_000L, 10L, 1000L, 9000L, "coupon-travel")))
                .build();
        return ScriptPlan.of(p, Map.of("SP1", "Acme Dairy"));
    }

    static LiveMetric metric(String source, String name, long value, long windowEndMs) {
        return metric(source, name, Map.of(), value, windowEndMs);
    }

    static LiveMetric metric(String source, String name, Map<String, String> tags, long value, long windowEndMs) {
        return LiveMetric.newBuilder()
                .setSource(source)
                .setName(name)
                .setTags(new HashMap<>(tags))
                .setValue(value)
                .setWindowEndMs(windowEndMs)
                .build();
    }
}
