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

    KeyRing(SecretKey[] ticketKeys, SecretKey tokenMacKey) {
        this.ticketKeys = ticketKeys;
        this.tokenMacKey = tokenMacKey;
        this.keyIds = java.util.stream.IntStream.range(0, ticketKeys.length).filter(i -> ticketKeys[i] != null).toArray();
    }

    /** A fresh ring with ticket keys numbered 1..count and a token MAC key. */
    public static KeyRing generate(int count, SecureRandom random) {
        if (count < 1 || count > EnvelopeLayout.MAX_KEY_ID) {
            throw new IllegalArgumentException("key count: " + count + " (allowed 1.." + EnvelopeLayout.MAX_KEY_ID + ")");
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

    /** What a shake-only edge needs: the token MAC key and no ticket key. */
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
        return "KeyRing{" + keyIds.length + " ticket keys" + (keyIds.length > 0 ? " " + keyIds[0] + ".." + maxKeyId() : "")
                + ", token key " + (tokenMacKey != null ? "present" : "absent") + "}";
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
        return Objects.equals(tokenMacKey == null ? null : Arrays.toString(tokenMacKey.getEncoded()),
                other.tokenMacKey == null ? null : Arrays.toString(other.tokenMacKey.getEncoded()));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(keyIds);
    }
}
