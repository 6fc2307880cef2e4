package io.redpacket.edge.state;

import io.redpacket.envelope.Bytes;
import io.redpacket.keys.HmacSha256;
import io.redpacket.keys.KeyRing;
import io.redpacket.token.Base64Url;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

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
 * Thread-safe: one {@link HmacSha256} and scratch buffer per thread.
 */
public final class StateCodec {
    static final int VERSION = 1;
    static final int MAC_BYTES = 16;
    private static final byte[] DERIVATION_LABEL = "redpacket/edge/client-state/v1".getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    static final int MAX_BLOB_CHARS = 64;

    /** Per thread: the state key's MAC, the expected MAC and the decoded blob. */
    private static final class Scratch {
        final HmacSha256 mac;
        final byte[] expected = new byte[HmacSha256.BYTES];
        final byte[] blob = new byte[MAX_BLOB_CHARS];

        Scratch(byte[] key) {
            mac = new HmacSha256(key);
        }
    }

    private final ThreadLocal<Scratch> scratch;

    public StateCodec(KeyRing ring) {
        if (ring.tokenMacKey() == null) {
            throw new IllegalArgumentException("key ring has no token key: " + ring);
        }
        byte[] derived =
                new HmacSha256(ring.tokenMacKey()).update(DERIVATION_LABEL).doFinal();
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(derived));
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
        Scratch s = scratch.get();
        s.mac.update(b, 0, 3 + 2 * n).updateUtf8(userId).doFinal(s.expected, 0);
        System.arraycopy(s.expected, 0, b, 3 + 2 * n, MAC_BYTES);
        return ENCODER.encodeToString(b);
    }

    /** The state, {@link ClientState#EMPTY} for a missing blob, or null for a malformed or forged one. */
    public ClientState decode(String userId, String blob) {
        if (blob == null || blob.isEmpty()) {
            return ClientState.EMPTY;
        }
        if (blob.length() > MAX_BLOB_CHARS) {
            return null;
        }
        Scratch s = scratch.get();
        byte[] b = s.blob;
        int length = Base64Url.decode(blob, 0, blob.length(), b);
        if (length < 3 + MAC_BYTES || b[0] != VERSION) {
            return null;
        }
        int n = b[2] & 0xFF;
        if (n > ClientState.USER_CAP || length != 3 + 2 * n + MAC_BYTES) {
            return null;
        }
        s.mac.update(b, 0, 3 + 2 * n).updateUtf8(userId).doFinal(s.expected, 0);
        int diff = 0;
        for (int i = 0; i < MAC_BYTES; i++) {
            diff |= s.expected[i] ^ b[3 + 2 * n + i];
        }
        if (diff != 0) {
            return null;
        }
        int[] sponsors = new int[n];
        for (int i = 0; i < n; i++) {
            sponsors[i] = Bytes.getUint16(b, 3 + 2 * i);
        }
        return new ClientState(b[1] & 0xFF, sponsors);
    }
}
