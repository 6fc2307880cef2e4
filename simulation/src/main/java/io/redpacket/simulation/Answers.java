package io.redpacket.simulation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * The JSON answers of the edges and the identity service as the crowd and the gateway read them (and the identity
 * service writes its own). One reading for both, so the crowd's truth and the gateway's log never disagree on what an
 * edge said.
 */
public final class Answers {
    public static final ObjectMapper JSON = new ObjectMapper();

    private Answers() {}

    /** An answer; one that is not JSON (a cut or foreign body, a proxy's error page) reads as an answer without fields. */
    public static JsonNode answerOf(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n == null ? MissingNode.getInstance() : n;
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    /** A top-level field as text (numbers as written), {@code fallback} when absent, null or not a single value. */
    public static String field(JsonNode answer, String name, String fallback) {
        JsonNode v = answer.path(name);
        return v.isValueNode() && !v.isNull() ? v.asText() : fallback;
    }
}
