package io.redpacket.token;

import io.redpacket.avro.RejectReason;

/** An authentic token's contents, or why the token was rejected. */
public final class VerifiedToken {
    private final RejectReason reason;
    private final byte[] tokenBytes;
    private final long shakeTimeMs;
    private final int edgeId;

    private VerifiedToken(RejectReason reason, byte[] tokenBytes, long shakeTimeMs, int edgeId) {
        this.reason = reason;
        this.tokenBytes = tokenBytes;
        this.shakeTimeMs = shakeTimeMs;
        this.edgeId = edgeId;
    }

    static VerifiedToken valid(byte[] tokenBytes, long shakeTimeMs, int edgeId) {
        return new VerifiedToken(null, tokenBytes, shakeTimeMs, edgeId);
    }

    static VerifiedToken rejected(RejectReason reason) {
        return new VerifiedToken(reason, null, 0, -1);
    }

    public boolean isValid() {
        return reason == null;
    }

    public RejectReason reason() {
        return reason;
    }

    /** The decoded token; the envelope record starts at {@link TokenLayout#OFF_RECORD}. Do not modify. */
    public byte[] tokenBytes() {
        return tokenBytes;
    }

    public int recordOffset() {
        return TokenLayout.OFF_RECORD;
    }

    public long shakeTimeMs() {
        return shakeTimeMs;
    }

    public int edgeId() {
        return edgeId;
    }
}
