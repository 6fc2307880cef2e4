package io.redpacket.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sample funding script with its time axis compressed: same allocations (so the budget still balances),
 * slots of a few seconds each, placed at a fixed future epoch. The edges' countdown shift then moves the
 * first slot to just after start-up, as an operator would when the live show's timing is known.
 */
final class CampaignScript {
    /** Where compressed slots start before the shift: far enough ahead that no real clock reaches it. */
    static final long PLAN_EPOCH_MS = 4_102_444_800_000L; // 2100-01-01T00:00:00Z

    private CampaignScript() {}

    /** Writes the compressed script and returns the number of slots. */
    static int compress(Path sample, Path out, int slotSeconds) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode root = yaml.readTree(sample.toFile());
        if (!(root instanceof ObjectNode obj) || !(root.get("slots") instanceof ArrayNode slots)) {
            throw new IOException(sample + ": not a funding script with top-level slots");
        }
        long start = PLAN_EPOCH_MS;
        for (JsonNode s : slots) {
            ((ObjectNode) s).put("start", start);
            ((ObjectNode) s).put("end", start + slotSeconds * 1000L);
            start += slotSeconds * 1000L;
        }
        obj.put("campaign", obj.path("campaign").asText("campaign") + "-local");
        Files.createDirectories(out.toAbsolutePath().getParent());
        yaml.writeValue(out.toFile(), root);
        return slots.size();
    }
}
