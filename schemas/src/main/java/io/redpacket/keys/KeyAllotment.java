package io.redpacket.keys;

import io.redpacket.envelope.EnvelopeLayout;

/**
 * The money each ticket key may seal. A leaked key exposes at most its cap, so generation rotates to the
 * next key before the cap would be passed ({@link Cursor}), and reconciliation checks per-key totals against it.
 */
public final class KeyAllotment {
    /** 250,000 yuan in fen: the brief's "each key covers about 200-300k yuan". */
    public static final long DEFAULT_CAP_FEN = 25_000_000L;

    private final long capFen;

    public KeyAllotment(long capFen) {
        if (capFen < EnvelopeLayout.MAX_AMOUNT_FEN) {
            // A cap below the largest possible envelope could leave an envelope that no key may seal.
            throw new IllegalArgumentException(
                    "key cap " + capFen + " fen is below the largest envelope the format allows ("
                            + EnvelopeLayout.MAX_AMOUNT_FEN + " fen)");
        }
        this.capFen = capFen;
    }

    public static KeyAllotment defaults() {
        return new KeyAllotment(DEFAULT_CAP_FEN);
    }

    public long capFen() {
        return capFen;
    }

    public boolean withinCap(long sealedFen) {
        return sealedFen <= capFen;
    }

    /**
     * Keys a {@link Cursor} may use for {@code totalFen} in envelopes of at most {@code maxEnvelopeFen}:
     * every key it leaves is filled past {@code cap - maxEnvelope}.
     */
    public long keysNeeded(long totalFen, long maxEnvelopeFen) {
        long perKey = capFen - maxEnvelopeFen + 1;
        // ceil(total / perKey) without adding first: totals and caps come from users and may be near 2^63.
        return totalFen <= 0 ? 1 : Math.max(1, (totalFen - 1) / perKey + 1);
    }

    public Cursor cursor(int firstKeyId, int lastKeyId) {
        return new Cursor(firstKeyId, lastKeyId);
    }

    /** Hands out keys in id order, moving on before a key's sealed total would pass the cap. Not thread-safe. */
    public final class Cursor {
        private final int lastKeyId;
        private int keyId;
        private long sealed;

        private Cursor(int firstKeyId, int lastKeyId) {
            if (!EnvelopeLayout.validKeyId(firstKeyId)
                    || !EnvelopeLayout.validKeyId(lastKeyId)
                    || lastKeyId < firstKeyId) {
                throw new IllegalArgumentException("key range " + firstKeyId + ".." + lastKeyId);
            }
            this.keyId = firstKeyId;
            this.lastKeyId = lastKeyId;
        }

        /** The key that seals an envelope of {@code amountFen}; counts it against that key's cap. */
        public int keyFor(long amountFen) {
            if (sealed + amountFen > capFen) {
                if (keyId == lastKeyId) {
                    throw new IllegalStateException(
                            "key range exhausted at key " + keyId + " (cap " + capFen + " fen)");
                }
                keyId++;
                sealed = 0;
            }
            sealed += amountFen;
            return keyId;
        }

        public int currentKeyId() {
            return keyId;
        }
    }
}
