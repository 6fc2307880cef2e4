package io.redpacket.io;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the edge's answers: one flat JSON object of string and integer fields (the edge writes them without
 * nesting; strings it emits carry no escaped quotes). Used by the clients of the edge (crowd, gateway, tests),
 * so the format is read one way everywhere.
 */
public final class FlatJson {
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"[^\"]*\"|-?\\d+)");

    private FlatJson() {}

    /** Field name to value, strings without their quotes, numbers as written. */
    public static Map<String, String> fields(String body) {
        Map<String, String> out = new HashMap<>();
        Matcher m = FIELD.matcher(body);
        while (m.find()) {
            String v = m.group(2);
            out.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
        }
        return out;
    }
}
