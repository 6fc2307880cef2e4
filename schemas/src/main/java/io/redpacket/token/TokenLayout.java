package io.redpacket.token;

import io.redpacket.envelope.EnvelopeLayout;

/**
 * The user-bound token an edge hands out on a shake and takes back on open (53 bytes, base64url without
 * padding: 71 characters).
 *
 * <pre>
 *   [0]       token version (1)
 *   [1..26]   the 26-byte envelope record, ticket still sealed
 *   [27..34]  shake time, epoch ms (int64)
 *   [35..36]  edge id (uint16)
 *   [37..52]  HMAC-SHA256(token key, bytes [0..36] || UTF-8 user id), first 128 bits
 * </pre>
 * The user id is bound by the MAC, not carried: a token presented by another user fails authentication.
 */
public final class TokenLayout {
    private TokenLayout() {}

    public static final int VERSION = 1;
    public static final int OFF_RECORD = 1;
    public static final int OFF_SHAKE_TIME = OFF_RECORD + EnvelopeLayout.RECORD_BYTES;
    public static final int OFF_EDGE = OFF_SHAKE_TIME + 8;
    public static final int OFF_MAC = OFF_EDGE + 2;
    public static final int MAC_BYTES = 16;
    public static final int TOKEN_BYTES = OFF_MAC + MAC_BYTES;
    public static final int TOKEN_CHARS = (TOKEN_BYTES * 8 + 5) / 6;
    public static final int MAX_EDGE_ID = 0xFFFF;
}
