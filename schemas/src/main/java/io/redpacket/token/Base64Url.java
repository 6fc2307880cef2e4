package io.redpacket.token;

import java.util.Base64;

/**
 * base64url without padding, decoded canonically: exactly one text per byte string. The JDK decoder ignores the
 * unused low bits of the last character, so several texts decode to the same bytes; anything an edge keys on or
 * hashes (tokens, state blobs, sessions) must have one spelling, or a gateway's "same token" link breaks.
 */
public final class Base64Url {
    private Base64Url() {}

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    public static String encode(byte[] b) {
        return ENCODER.encodeToString(b);
    }

    /** Characters of the unpadded encoding of {@code bytes} bytes. */
    public static int chars(int bytes) {
        return (bytes * 8 + 5) / 6;
    }

    /**
     * The bytes, or null when {@code text} is not the canonical unpadded base64url of some byte string: a
     * character outside the alphabet, padding, a length no byte count has, or non-zero unused bits at the end.
     */
    public static byte[] decode(String text) {
        int n = text.length();
        if ((n & 3) == 1) {
            return null;
        }
        byte[] out = new byte[n / 4 * 3 + Math.max(0, (n & 3) - 1)];
        return decode(text, 0, n, out) < 0 ? null : out;
    }

    /**
     * Decodes {@code text[from, to)} canonically (see {@link #decode(String)}) into {@code out} from index 0, without
     * allocating: the byte count, or -1 when it is not canonical base64url or does not fit in {@code out}.
     */
    public static int decode(CharSequence text, int from, int to, byte[] out) {
        int n = to - from;
        int rem = n & 3;
        if (n < 0 || rem == 1) {
            return -1;
        }
        int bytes = n / 4 * 3 + (rem == 0 ? 0 : rem - 1);
        if (bytes > out.length) {
            return -1;
        }
        int o = 0;
        int i = from;
        int full = from + (n - rem);
        int bad = 0;
        while (i < full) {
            int a = value(text.charAt(i));
            int b = value(text.charAt(i + 1));
            int c = value(text.charAt(i + 2));
            int d = value(text.charAt(i + 3));
            bad |= a | b | c | d;
            int w = a << 18 | b << 12 | c << 6 | d;
            out[o] = (byte) (w >> 16);
            out[o + 1] = (byte) (w >> 8);
            out[o + 2] = (byte) w;
            o += 3;
            i += 4;
        }
        if (rem == 2) {
            int a = value(text.charAt(i));
            int b = value(text.charAt(i + 1));
            // 2 characters carry 1 byte: the 4 spare bits must be zero.
            bad |= a | b;
            if ((b & 0x0F) != 0) {
                bad = -1;
            }
            out[o] = (byte) (a << 2 | b >> 4);
        } else if (rem == 3) {
            int a = value(text.charAt(i));
            int b = value(text.charAt(i + 1));
            int c = value(text.charAt(i + 2));
            // 3 characters carry 2 bytes: the 2 spare bits must be zero.
            bad |= a | b | c;
            if ((c & 0x03) != 0) {
                bad = -1;
            }
            out[o] = (byte) (a << 2 | b >> 4);
            out[o + 1] = (byte) (b << 4 | c >> 2);
        }
        return bad < 0 ? -1 : bytes;
    }

    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < 64; i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
    }

    /** 0..63, or -1 for a character outside the alphabet. */
    private static int value(char c) {
        return c < 128 ? VALUES[c] : -1;
    }
}
