package io.redpacket.session;

import io.redpacket.token.Base64Url;

/**
 * The session credential an identity service issues at login and every edge verifies locally (no RPC): who the
 * user is, on which device, from when and for how long, signed with a session key the edges hold by id. base64url
 * without padding, canonical (one text per credential).
 *
 * <pre>
 *   [0]        version (1)
 *   [1..2]     session key id (uint16): which key of the ring signed it (rotation: several live at once)
 *   [3..10]    issued at, epoch ms (int64)
 *   [11..14]   lifetime, seconds (uint32): expires at issued + lifetime
 *   [15]       user id length U (1..64)
 *   [16]       device id length D (1..64)
 *   [17..]     user id (U bytes), then device id (D bytes), both from {@link #ALPHABET}
 *   [last 16]  HMAC-SHA256(session key, every byte before), first 128 bits
 * </pre>
 * User and device ids are readable in the clear (a gateway logs the user without any key); only the MAC makes them
 * true. The alphabet keeps ids safe in logs, CSV, JSON and URLs without escaping.
 */
public final class SessionLayout {
    private SessionLayout() {}

    public static final int VERSION = 1;
    public static final int OFF_KEY_ID = 1;
    public static final int OFF_ISSUED = 3;
    public static final int OFF_LIFETIME = 11;
    public static final int OFF_USER_LEN = 15;
    public static final int OFF_DEVICE_LEN = 16;
    public static final int OFF_IDS = 17;
    public static final int MAC_BYTES = 16;
    public static final int MAX_ID_CHARS = 64;
    public static final int MIN_BYTES = OFF_IDS + 2 + MAC_BYTES;
    public static final int MAX_BYTES = OFF_IDS + 2 * MAX_ID_CHARS + MAC_BYTES;
    public static final int MAX_CHARS = Base64Url.chars(MAX_BYTES);
    /** Letters, digits and {@code . _ : @ -}. */
    public static final String ALPHABET = "A-Z a-z 0-9 . _ : @ -";

    public static boolean idChar(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == ':'
                || c == '@'
                || c == '-';
    }

    /** A user or device id an identity service may put in a credential: 1..64 characters of {@link #ALPHABET}. */
    public static boolean validId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_CHARS) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            if (!idChar(id.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The user id in the clear part of a credential, NOT verified (for logs of a component without the key, such as
     * a gateway); null if the text is not even shaped like a credential.
     */
    public static String unverifiedUser(String credential) {
        byte[] b = credential == null || credential.length() > MAX_CHARS ? null : Base64Url.decode(credential);
        if (b == null || b.length < MIN_BYTES || b[0] != VERSION) {
            return null;
        }
        int u = b[OFF_USER_LEN] & 0xFF;
        int d = b[OFF_DEVICE_LEN] & 0xFF;
        if (u < 1 || u > MAX_ID_CHARS || d < 1 || d > MAX_ID_CHARS || b.length != OFF_IDS + u + d + MAC_BYTES) {
            return null;
        }
        for (int i = 0; i < u; i++) {
            if (!idChar(b[OFF_IDS + i])) {
                return null;
            }
        }
        return new String(b, OFF_IDS, u, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
