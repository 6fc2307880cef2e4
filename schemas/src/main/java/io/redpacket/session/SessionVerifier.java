package io.redpacket.session;

import static io.redpacket.session.SessionLayout.*;

import io.redpacket.envelope.Bytes;
import io.redpacket.keys.HmacSha256;
import io.redpacket.keys.KeyRing;
import io.redpacket.token.Base64Url;
import java.nio.charset.StandardCharsets;

/**
 * Verifies a session credential by local computation only (one HMAC-SHA256 over ~60 bytes): canonical encoding,
 * layout, key id known (not retired), signature, lifetime within the maximum, issued no later than now plus the
 * allowed clock skew, not expired, and presented from the device it was issued to. Any input yields a
 * {@link VerifiedSession}, never an exception. One instance per thread (it keeps one {@link HmacSha256} per key id and
 * decodes into a buffer of its own).
 */
public final class SessionVerifier {
    /** Clocks of the identity service and the edges may differ this much. */
    public static final long DEFAULT_SKEW_MS = 60_000;

    public static final long DEFAULT_MAX_LIFETIME_MS = 24L * 3600 * 1000;

    private final HmacSha256[] macs;
    private final long skewMs;
    private final long maxLifetimeMs;
    private final byte[] expected = new byte[HmacSha256.BYTES];
    private final byte[] b = new byte[MAX_BYTES];

    public SessionVerifier(KeyRing ring) {
        this(ring, DEFAULT_SKEW_MS, DEFAULT_MAX_LIFETIME_MS);
    }

    public SessionVerifier(KeyRing ring, long skewMs, long maxLifetimeMs) {
        int[] ids = ring.sessionKeyIds();
        if (ids.length == 0) {
            throw new IllegalArgumentException("key ring has no session key: " + ring);
        }
        this.macs = new HmacSha256[ids[ids.length - 1] + 1];
        for (int id : ids) {
            macs[id] = new HmacSha256(ring.sessionKey(id));
        }
        this.skewMs = skewMs;
        this.maxLifetimeMs = maxLifetimeMs;
    }

    /**
     * @param credential  the text the client presented (null or empty: {@link SessionReject#MISSING})
     * @param deviceId    the device the request says it comes from; must equal the session's
     */
    public VerifiedSession verify(String credential, String deviceId, long nowMs) {
        if (credential == null || credential.isEmpty()) {
            return VerifiedSession.rejected(SessionReject.MISSING);
        }
        if (credential.length() > MAX_CHARS) {
            return VerifiedSession.rejected(SessionReject.MALFORMED);
        }
        int length = Base64Url.decode(credential, 0, credential.length(), b);
        if (length < MIN_BYTES || b[0] != VERSION) {
            return VerifiedSession.rejected(SessionReject.MALFORMED);
        }
        int u = b[OFF_USER_LEN] & 0xFF;
        int d = b[OFF_DEVICE_LEN] & 0xFF;
        int body = OFF_IDS + u + d;
        if (u < 1 || u > MAX_ID_CHARS || d < 1 || d > MAX_ID_CHARS || length != body + MAC_BYTES) {
            return VerifiedSession.rejected(SessionReject.MALFORMED);
        }
        int keyId = Bytes.getUint16(b, OFF_KEY_ID);
        HmacSha256 mac = keyId < macs.length ? macs[keyId] : null;
        if (mac == null) {
            return VerifiedSession.rejected(SessionReject.UNKNOWN_KEY);
        }
        mac.update(b, 0, body).doFinal(expected, 0);
        // Constant time, no copies: every byte is compared whatever the first difference.
        int diff = 0;
        for (int i = 0; i < MAC_BYTES; i++) {
            diff |= expected[i] ^ b[body + i];
        }
        if (diff != 0) {
            return VerifiedSession.rejected(SessionReject.NOT_AUTHENTIC);
        }
        // Authentic from here on: the issuer wrote these ids, but check them anyway (a key used by a buggy issuer).
        for (int i = OFF_IDS; i < body; i++) {
            if (!idChar(b[i])) {
                return VerifiedSession.rejected(SessionReject.MALFORMED);
            }
        }
        long issued = Bytes.getLong(b, OFF_ISSUED);
        long lifetimeMs = (Bytes.getInt(b, OFF_LIFETIME) & 0xFFFF_FFFFL) * 1000;
        if (lifetimeMs > maxLifetimeMs || issued > nowMs + skewMs) {
            return VerifiedSession.rejected(SessionReject.NOT_YET_VALID);
        }
        long expires = issued + lifetimeMs;
        if (nowMs >= expires) {
            return VerifiedSession.rejected(SessionReject.EXPIRED);
        }
        if (!sameAscii(deviceId, b, OFF_IDS + u, d)) {
            return VerifiedSession.rejected(SessionReject.DEVICE_MISMATCH);
        }
        return new VerifiedSession(
                null,
                new String(b, OFF_IDS, u, StandardCharsets.US_ASCII),
                new String(b, OFF_IDS + u, d, StandardCharsets.US_ASCII),
                keyId,
                issued,
                expires);
    }

    private static boolean sameAscii(String s, byte[] b, int off, int len) {
        if (s == null || s.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != b[off + i]) {
                return false;
            }
        }
        return true;
    }
}
