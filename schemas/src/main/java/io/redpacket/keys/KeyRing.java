package io.redpacket.keys;

import io.redpacket.envelope.EnvelopeLayout;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntPredicate;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys of a campaign: AES-128 ticket keys indexed by key id (1..65535) and the HMAC-SHA256 key that
 * authenticates user-bound tokens. Immutable. A ring held by an open-side process contains only the
 * ticket keys it is whitelisted for; a shake-only process holds none (see {@link #tokenOnly()}).
 * Key material is never printed: {@link #toString()} names ids only.
 */
public final class KeyRing {
    public static final String TICKET_KEY_ALGORITHM = "AES";
    public static final String TOKEN_MAC_ALGORITHM = "HmacSHA256";
    public static final int TICKET_KEY_BYTES = 16;
    public static final int TOKEN_MAC_KEY_BYTES = 32;

    private final SecretKey[] ticketKeys;
    private final int[] keyIds;
    private final SecretKey tokenMacKey;
    /** Session keys by id (the identity service signs with the newest; edges verify by the id in the credential). */
    private final SecretKey[] sessionKeys;

    KeyRing(SecretKey[] ticketKeys, SecretKey tokenMacKey) {
        this(ticketKeys, tokenMacKey, new SecretKey[0]);
    }

    KeyRing(SecretKey[] ticketKeys, SecretKey tokenMacKey, SecretKey[] sessionKeys) {
        this.ticketKeys = ticketKeys;
        this.tokenMacKey = tokenMacKey;
        this.sessionKeys = sessionKeys;
        this.keyIds = java.util.stream.IntStream.range(0, ticketKeys.length)
                .filter(i -> ticketKeys[i] != null)
                .toArray();
    }

    public static final int SESSION_KEY_BYTES = 32;
    public static final int MAX_SESSION_KEY_ID = 0xFFFF;

    /** A ready HMAC-SHA256 under {@code key}: tokens, state blobs and sessions all MAC this way. */
    public static javax.crypto.Mac hmac(java.security.Key key) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance(TOKEN_MAC_ALGORITHM);
            mac.init(key);
            return mac;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    /** A ring holding only session key 1: what an identity service starts with (no ticket key, no token key). */
    public static KeyRing generateSessionRing(SecureRandom random) {
        return new KeyRing(new SecretKey[1], null, new SecretKey[0]).withRotatedSessionKey(random);
    }

    /**
     * Rotation: a new session key with the next id, which becomes the signing key; the older ones still verify the
     * sessions they signed until they are retired ({@link #withoutSessionKeys}).
     */
    public KeyRing withRotatedSessionKey(SecureRandom random) {
        int next = signingSessionKeyId() + 1;
        if (next > MAX_SESSION_KEY_ID) {
            throw new IllegalArgumentException("session key ids are used up (" + MAX_SESSION_KEY_ID + ")");
        }
        SecretKey[] keys = Arrays.copyOf(sessionKeys, next + 1);
        keys[next] = new SecretKeySpec(randomBytes(random, SESSION_KEY_BYTES), TOKEN_MAC_ALGORITHM);
        return new KeyRing(ticketKeys, tokenMacKey, keys);
    }

    /** Retires session keys: sessions they signed no longer verify. */
    public KeyRing withoutSessionKeys(int... ids) {
        SecretKey[] keys = sessionKeys.clone();
        for (int id : ids) {
            if (!hasSessionKey(id)) {
                throw new IllegalArgumentException("session key " + id + " is not in this ring (session keys "
                        + Arrays.toString(sessionKeyIds()) + ")");
            }
            keys[id] = null;
        }
        return new KeyRing(ticketKeys, tokenMacKey, trim(keys));
    }

    /** Only the session keys: what an edge's session verifier or an identity service holds. */
    public KeyRing sessionOnly() {
        return new KeyRing(new SecretKey[1], null, sessionKeys);
    }

    public boolean hasSessionKey(int id) {
        return id > 0 && id < sessionKeys.length && sessionKeys[id] != null;
    }

    /** The session key with this id, or null (unknown or retired). */
    public SecretKey sessionKey(int id) {
        return hasSessionKey(id) ? sessionKeys[id] : null;
    }

    public int[] sessionKeyIds() {
        return java.util.stream.IntStream.range(0, sessionKeys.length)
                .filter(i -> sessionKeys[i] != null)
                .toArray();
    }

    /** The newest session key id (what new sessions are signed with); 0 when the ring has none. */
    public int signingSessionKeyId() {
        for (int i = sessionKeys.length - 1; i > 0; i--) {
            if (sessionKeys[i] != null) {
                return i;
            }
        }
        return 0;
    }

    /** A fresh ring with ticket keys numbered 1..count and a token MAC key. */
    public static KeyRing generate(int count, SecureRandom random) {
        if (count < 1 || count > EnvelopeLayout.MAX_KEY_ID) {
            throw new IllegalArgumentException(
                    "key count: " + count + " (allowed 1.." + EnvelopeLayout.MAX_KEY_ID + ")");
        }
        SecretKey[] keys = new SecretKey[count + 1];
        for (int id = 1; id <= count; id++) {
            keys[id] = new SecretKeySpec(randomBytes(random, TICKET_KEY_BYTES), TICKET_KEY_ALGORITHM);
        }
        SecretKey mac = new SecretKeySpec(randomBytes(random, TOKEN_MAC_KEY_BYTES), TOKEN_MAC_ALGORITHM);
        return new KeyRing(keys, mac);
    }

    private static byte[] randomBytes(SecureRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    public boolean hasTicketKey(int keyId) {
        return keyId > 0 && keyId < ticketKeys.length && ticketKeys[keyId] != null;
    }

    /** The ticket key, or null if this ring does not hold it (not whitelisted here). */
    public SecretKey ticketKey(int keyId) {
        return hasTicketKey(keyId) ? ticketKeys[keyId] : null;
    }

    public int[] keyIds() {
        return keyIds.clone();
    }

    public int size() {
        return keyIds.length;
    }

    public int maxKeyId() {
        return keyIds.length == 0 ? 0 : keyIds[keyIds.length - 1];
    }

    public SecretKey tokenMacKey() {
        return tokenMacKey;
    }

    /** The open side's whitelist: only the ticket keys accepted by {@code whitelisted}. */
    public KeyRing restrictTo(IntPredicate whitelisted) {
        SecretKey[] keys = new SecretKey[ticketKeys.length];
        for (int id : keyIds) {
            if (whitelisted.test(id)) {
                keys[id] = ticketKeys[id];
            }
        }
        return new KeyRing(trim(keys), tokenMacKey);
    }

    /** What a shake-only edge needs: the token MAC key and no ticket key (session keys travel in their own store). */
    public KeyRing tokenOnly() {
        return new KeyRing(new SecretKey[1], tokenMacKey);
    }

    private static SecretKey[] trim(SecretKey[] keys) {
        int last = keys.length - 1;
        while (last > 0 && keys[last] == null) {
            last--;
        }
        return Arrays.copyOf(keys, Math.max(last + 1, 1));
    }

    SecretKey[] ticketKeysArray() {
        return ticketKeys;
    }

    @Override
    public String toString() {
        int[] sessions = sessionKeyIds();
        return "KeyRing{" + keyIds.length + " ticket keys"
                + (keyIds.length > 0 ? " " + keyIds[0] + ".." + maxKeyId() : "")
                + ", token key " + (tokenMacKey != null ? "present" : "absent")
                + (sessions.length > 0
                        ? ", session keys " + Arrays.toString(sessions) + " (signing " + signingSessionKeyId() + ")"
                        : "")
                + "}";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof KeyRing other)) {
            return false;
        }
        if (!Arrays.equals(keyIds, other.keyIds)) {
            return false;
        }
        for (int id : keyIds) {
            if (!Arrays.equals(ticketKeys[id].getEncoded(), other.ticketKeys[id].getEncoded())) {
                return false;
            }
        }
        if (!Arrays.equals(sessionKeyIds(), other.sessionKeyIds())) {
            return false;
        }
        for (int id : sessionKeyIds()) {
            if (!Arrays.equals(sessionKeys[id].getEncoded(), other.sessionKeys[id].getEncoded())) {
                return false;
            }
        }
        return Objects.equals(
                tokenMacKey == null ? null : Arrays.toString(tokenMacKey.getEncoded()),
                other.tokenMacKey == null ? null : Arrays.toString(other.tokenMacKey.getEncoded()));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(keyIds);
    }
}
