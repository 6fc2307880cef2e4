package io.redpacket.token;

import static io.redpacket.token.TokenLayout.*;

import io.redpacket.envelope.Bytes;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.keys.HmacSha256;
import io.redpacket.keys.KeyRing;
import java.util.Base64;

/** Binds a sealed envelope record to a user (shake side). Needs only the token key. One instance per thread. */
public final class TokenSigner {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private final HmacSha256 mac;
    private final byte[] token = new byte[TOKEN_BYTES];
    private final byte[] fullMac = new byte[32];

    public TokenSigner(KeyRing ring) {
        mac = tokenMac(ring);
    }

    /** An HMAC-SHA256 keyed with the ring's token key; signer and verifier each hold one. */
    static HmacSha256 tokenMac(KeyRing ring) {
        if (ring.tokenMacKey() == null) {
            throw new IllegalArgumentException("key ring has no token key: " + ring);
        }
        return new HmacSha256(ring.tokenMacKey());
    }

    public String sign(byte[] record, int recordOff, String userId, long shakeTimeMs, int edgeId) {
        if (edgeId < 0 || edgeId > MAX_EDGE_ID) {
            throw new IllegalArgumentException("edgeId: " + edgeId + " (allowed 0.." + MAX_EDGE_ID + ")");
        }
        token[0] = (byte) VERSION;
        System.arraycopy(record, recordOff, token, OFF_RECORD, EnvelopeLayout.RECORD_BYTES);
        Bytes.putLong(token, OFF_SHAKE_TIME, shakeTimeMs);
        Bytes.putUint16(token, OFF_EDGE, edgeId);
        computeMac(mac, token, userId, fullMac);
        System.arraycopy(fullMac, 0, token, OFF_MAC, MAC_BYTES);
        return ENCODER.encodeToString(token);
    }

    static void computeMac(HmacSha256 mac, byte[] token, String userId, byte[] out) {
        mac.update(token, 0, OFF_MAC).updateUtf8(userId).doFinal(out, 0);
    }
}
