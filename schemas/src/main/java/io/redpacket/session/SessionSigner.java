package io.redpacket.session;

import static io.redpacket.session.SessionLayout.*;

import io.redpacket.envelope.Bytes;
import io.redpacket.keys.KeyRing;
import io.redpacket.token.Base64Url;
import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;

/**
 * Issues session credentials (identity service side), signed with the ring's newest session key. One instance per
 * thread. See {@link SessionLayout}.
 */
public final class SessionSigner {
    private final int keyId;
    private final Mac mac;

    public SessionSigner(KeyRing ring) {
        this.keyId = ring.signingSessionKeyId();
        if (keyId == 0) {
            throw new IllegalArgumentException("key ring has no session key: " + ring);
        }
        this.mac = KeyRing.hmac(ring.sessionKey(keyId));
    }

    public int keyId() {
        return keyId;
    }

    /**
     * @param lifetimeS  seconds the session is valid for, 1..2^32-1
     * @throws IllegalArgumentException for an id outside {@link SessionLayout#ALPHABET} or 1..64 characters
     */
    public String sign(String userId, String deviceId, long issuedAtMs, long lifetimeS) {
        if (!validId(userId)) {
            throw new IllegalArgumentException(
                    "user id '" + userId + "': 1.." + MAX_ID_CHARS + " characters of " + ALPHABET);
        }
        if (!validId(deviceId)) {
            throw new IllegalArgumentException(
                    "device id '" + deviceId + "': 1.." + MAX_ID_CHARS + " characters of " + ALPHABET);
        }
        if (lifetimeS < 1 || lifetimeS > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("lifetime " + lifetimeS + " s");
        }
        byte[] user = userId.getBytes(StandardCharsets.US_ASCII);
        byte[] device = deviceId.getBytes(StandardCharsets.US_ASCII);
        int body = OFF_IDS + user.length + device.length;
        byte[] b = new byte[body + MAC_BYTES];
        b[0] = (byte) VERSION;
        Bytes.putUint16(b, OFF_KEY_ID, keyId);
        Bytes.putLong(b, OFF_ISSUED, issuedAtMs);
        Bytes.putInt(b, OFF_LIFETIME, (int) lifetimeS);
        b[OFF_USER_LEN] = (byte) user.length;
        b[OFF_DEVICE_LEN] = (byte) device.length;
        System.arraycopy(user, 0, b, OFF_IDS, user.length);
        System.arraycopy(device, 0, b, OFF_IDS + user.length, device.length);
        mac.update(b, 0, body);
        System.arraycopy(mac.doFinal(), 0, b, body, MAC_BYTES);
        return Base64Url.encode(b);
    }
}
