package io.redpacket.generation.input;

/** Integer parsing for amounts and counts as people write them: digits, optional '_' or ',' grouping, no decimals. */
final class Numbers {
    private Numbers() {}

    /** The value, or null if the text is not a plain integer (decimals are refused: money is integer fen). */
    static Long parseFen(String text) {
        String t = text.trim().replace("_", "");
        if (t.matches("-?\\d{1,3}(,\\d{3})+")) {
            t = t.replace(",", "");
        }
        if (!t.matches("-?\\d{1,18}")) {
            return null;
        }
        return Long.parseLong(t);
    }
}
