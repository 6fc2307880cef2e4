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
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

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
        int rem = n & 3;
        if (rem == 1) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            if (value(text.charAt(i)) < 0) {
                return null;
            }
        }
        if (rem != 0) {
            // 2 characters carry 1 byte (4 spare bits), 3 carry 2 bytes (2 spare bits): the spare bits must be zero.
            int spareMask = rem == 2 ? 0x0F : 0x03;
            if ((value(text.charAt(n - 1)) & spareMask) != 0) {
                return null;
            }
        }
        try {
            return DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int value(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : c == '_' ? 63 : -1;
    }
}
