package io.redpacket.generation.input;

/**
 * Integer parsing for amounts and counts as people write them: digits, optional '_' or ',' grouping, no decimals.
 *
 * <p>Values have at most 18 digits ({@value #MAX_TEXT}): amounts up to 10^16 yuan, far past any budget,
 * and small enough that a count times an envelope bound, or a few totals added, are still exact in 64 bits. Sums
 * of many are checked where they are made.
 */
final class Numbers {
    static final long MAX = 999_999_999_999_999_999L;
    static final String MAX_TEXT = "999,999,999,999,999,999";

    private Numbers() {}

    /** Why a text is not a number we take; the message completes "'text' ...". */
    static final class NotANumber extends Exception {
        NotANumber(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The value of {@code text}.
     *
     * @param what "amount in fen" or "integer", for the message
     * @throws NotANumber "is not an integer amount in fen" (decimals, letters), or "is too large: ..." (19 digits and more)
     */
    static long parse(String text, String what) throws NotANumber {
        String t = text.trim().replace("_", "");
        if (t.matches("-?\\d{1,3}(,\\d{3})+")) {
            t = t.replace(",", "");
        }
        if (!t.matches("-?\\d+")) {
            throw new NotANumber("is not an " + what);
        }
        String digits = t.replaceFirst("^-?0*", "");
        if (digits.length() > 18) {
            throw new NotANumber("is too large: at most " + MAX_TEXT + " (18 digits)");
        }
        return Long.parseLong(t);
    }
}
