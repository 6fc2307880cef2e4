package io.redpacket.edge.http;

/** A tiny JSON object writer for the edge's flat answers: no reflection, no tree, one StringBuilder. */
public final class Json {
    private final StringBuilder sb = new StringBuilder(320).append('{');

    public Json str(String name, String value) {
        if (value == null) {
            return this;
        }
        name(name).append('"');
        if (plain(value)) {
            // The common case (tokens, ids, base64url): no escaping, one bulk copy.
            sb.append(value).append('"');
            return this;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
        return this;
    }

    private static boolean plain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    public Json num(String name, long value) {
        name(name).append(value);
        return this;
    }

    private StringBuilder name(String name) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        return sb.append('"').append(name).append("\":");
    }

    private boolean closed;

    @Override
    public String toString() {
        if (!closed) {
            sb.append('}');
            closed = true;
        }
        return sb.toString();
    }
}
