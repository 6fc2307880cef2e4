package io.redpacket.keys;

import java.io.Serializable;
import java.util.Arrays;
import java.util.function.IntPredicate;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ticket keys a distributed sealing job ships to its workers (Spark tasks), without the token key.
 * Workers rebuild a {@link KeyRing} from it; loading the password-protected key store on every worker would
 * cost a PBKDF2 derivation per key per worker. Whoever ships it must protect the transport
 * (e.g. Spark's {@code spark.network.crypto.enabled}). Never printed: {@link #toString()} names ids only.
 */
public final class SealingKeys implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] keyIds;
    private final byte[][] keys;

    private SealingKeys(int[] keyIds, byte[][] keys) {
        this.keyIds = keyIds;
        this.keys = keys;
    }

    /** The ticket keys of {@code ring} accepted by {@code which}. */
    public static SealingKeys of(KeyRing ring, IntPredicate which) {
        int[] ids = Arrays.stream(ring.keyIds()).filter(which).toArray();
        byte[][] material = new byte[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            material[i] = ring.ticketKey(ids[i]).getEncoded();
        }
        return new SealingKeys(ids, material);
    }

    /** A ring holding these ticket keys and no token key. */
    public KeyRing toRing() {
        int max = keyIds.length == 0 ? 0 : keyIds[keyIds.length - 1];
        SecretKey[] ring = new SecretKey[max + 1];
        for (int i = 0; i < keyIds.length; i++) {
            ring[keyIds[i]] = new SecretKeySpec(keys[i], KeyRing.TICKET_KEY_ALGORITHM);
        }
        return new KeyRing(ring, null);
    }

    public int size() {
        return keyIds.length;
    }

    @Override
    public String toString() {
        return "SealingKeys{" + keyIds.length + " ticket keys"
                + (keyIds.length > 0 ? " " + keyIds[0] + ".." + keyIds[keyIds.length - 1] : "") + "}";
    }
}
