package io.redpacket.simulation.scenario;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Random;

/** An inclusive range of whole numbers; in a scenario file {@code [min, max]} or one number for both. */
public record Range(long min, long max) {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Range parse(JsonNode node) {
        if (node.isIntegralNumber()) {
            return new Range(node.asLong(), node.asLong());
        }
        if (node.isArray()
                && node.size() == 2
                && node.get(0).isIntegralNumber()
                && node.get(1).isIntegralNumber()) {
            return new Range(node.get(0).asLong(), node.get(1).asLong());
        }
        throw new IllegalArgumentException("expected a whole number or [min, max], got " + node);
    }

    @JsonValue
    List<Long> json() {
        return List.of(min, max);
    }

    /** Uniform draw in [min, max]. */
    public long draw(Random random) {
        return min + (max > min ? (long) (random.nextDouble() * (max - min + 1)) : 0);
    }

    int drawInt(Random random) {
        return Math.toIntExact(draw(random));
    }

    @Override
    public String toString() {
        return min == max ? String.valueOf(min) : "[" + min + ", " + max + "]";
    }
}
