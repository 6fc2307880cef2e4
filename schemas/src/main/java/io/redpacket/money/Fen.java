package io.redpacket.money;

/** Money is integer fen (1/100 yuan) everywhere; this is the one place it is shown as yuan. */
public final class Fen {
    private Fen() {}

    /** {@code -123456} -> {@code "-1,234.56"}: integer arithmetic only, the sign in front for any negative amount. */
    public static String yuan(long fen) {
        // Long.MIN_VALUE has no positive counterpart: work on the remainder and quotient, both non-positive for
        // negatives.
        String sign = fen < 0 ? "-" : "";
        long whole = Math.abs(fen / 100);
        long cents = Math.abs(fen % 100);
        return String.format("%s%,d.%02d", sign, whole, cents);
    }
}
