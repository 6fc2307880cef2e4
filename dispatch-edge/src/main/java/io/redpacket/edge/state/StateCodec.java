package io.redpacket.edge.state;

import io.redpacket.envelope.Bytes;
import io.redpacket.keys.KeyRing;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cap state the edge writes into the client's protocol data and reads back on the next shake. A client
 * cannot edit it: it carries an HMAC-SHA256 (first 128 bits) bound to the user id, under a key derived from
 * the campaign's token key, so every edge of the campaign (backups included) accepts every other edge's blobs
 * and a shake-only edge needs no extra secret. A client can still present an older genuine blob; the edge's
 * own memory ({@link UserStateCache}) and settlement catch that.
 *
 * <pre>
 *   [0] version (1)   [1] count   [2] n sponsors   [3 .. 3+2n) sponsor indexes (uint16)   then 16-byte MAC
 * </pre>
 * Thread-safe: one {@link Mac} per thread.
 */
public final class StateCodec {
    static final int VERSION = 1;
    static final int MAC_BYTES = 16;
    private static final byte[] DERIVATION_LABEL = "redpacket/edge/client-state/v1".getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final ThreadLocal<Mac> macs;

    public StateCodec(KeyRing ring) {
        if (ring.tokenMacKey() == null) {
            throw new IllegalArgumentException("key ring has no token key: " + ring);
        }
        byte[] derived = hmac(newMac(ring.tokenMacKey()), DERIVATION_LABEL);
        SecretKeySpec stateKey = new SecretKeySpec(derived, KeyRing.TOKEN_MAC_ALGORITHM);
        this.macs = ThreadLocal.withInitial(() -> newMac(stateKey));
    }

    private static Mac newMac(java.security.Key key) {
        return KeyRing.hmac(key);
    }

    private static byte[] hmac(Mac mac, byte[] data) {
        return mac.doFinal(data);
    }

    public String encode(String userId, ClientState state) {
        int n = state.sponsorSize();
        byte[] b = new byte[3 + 2 * n + MAC_BYTES];
        b[0] = VERSION;
        b[1] = (byte) Math.min(state.count(), 255);
        b[2] = (byte) n;
        for (int i = 0; i < n; i++) {
            Bytes.putUint16(b, 3 + 2 * i, state.sponsorAt(i));
        }
        byte[] mac = mac(b, 3 + 2 * n, userId);
        System.arraycopy(mac, 0, b, 3 + 2 * n, MAC_BYTES);
        return ENCODER.encodeToString(b);
    }

    /** The state, {@link ClientState#EMPTY} for a missing blob, or null for a malformed or forged one. */
    public ClientState decode(String userId, String blob) {
        if (blob == null || blob.isEmpty()) {
            return ClientState.EMPTY;
        }
        if (blob.length() > 64) {
            return null;
        }
        byte[] b;
        try {
            b = DECODER.decode(blob);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (b.length < 3 + MAC_BYTES || b[0] != VERSION) {
            return null;
        }
        int n = b[2] & 0xFF;
        if (n > ClientState.USER_CAP || b.length != 3 + 2 * n + MAC_BYTES) {
            return null;
        }
        byte[] expected = mac(b, 3 + 2 * n, userId);
        if (!MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(b, 3 + 2 * n, b.length))) {
            return null;
        }
        int[] sponsors = new int[n];
        for (int i = 0; i < n; i++) {
            sponsors[i] = Bytes.getUint16(b, 3 + 2 * i);
        }
        return new ClientState(b[1] & 0xFF, sponsors);
    }

    private byte[] mac(byte[] b, int len, String userId) {
        Mac mac = macs.get();
        mac.update(b, 0, len);
        mac.update(userId.getBytes(StandardCharsets.UTF_8));
        return java.util.Arrays.copyOf(mac.doFinal(), MAC_BYTES);
    }
}
