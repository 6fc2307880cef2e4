package io.redpacket.envelope;

import io.redpacket.avro.RejectReason;
import java.util.EnumMap;
import java.util.Map;

/** The outcome of opening a record or a token: the ticket's fields, or the reason it was rejected. */
public final class OpenedTicket {
    private static final Map<RejectReason, OpenedTicket> REJECTIONS = new EnumMap<>(RejectReason.class);

    static {
        for (RejectReason r : RejectReason.values()) {
            REJECTIONS.put(r, new OpenedTicket(r, -1, 0, 0, 0));
        }
    }

    private final RejectReason reason;
    private final long envelopeId;
    private final long amountFen;
    private final int batchId;
    private final int keyId;

    private OpenedTicket(RejectReason reason, long envelopeId, long amountFen, int batchId, int keyId) {
        this.reason = reason;
        this.envelopeId = envelopeId;
        this.amountFen = amountFen;
        this.batchId = batchId;
        this.keyId = keyId;
    }

    public static OpenedTicket valid(long envelopeId, long amountFen, int batchId, int keyId) {
        return new OpenedTicket(null, envelopeId, amountFen, batchId, keyId);
    }

    public static OpenedTicket rejected(RejectReason reason) {
        return REJECTIONS.get(reason);
    }

    public boolean isValid() {
        return reason == null;
    }

    /** Null when valid. */
    public RejectReason reason() {
        return reason;
    }

    public long envelopeId() {
        return envelopeId;
    }

    public long amountFen() {
        return amountFen;
    }

    public int batchId() {
        return batchId;
    }

    public int keyId() {
        return keyId;
    }

    @Override
    public String toString() {
        return isValid()
                ? "OpenedTicket{envelope=" + envelopeId + ", amountFen=" + amountFen + ", batch=" + batchId + ", key="
                        + keyId + "}"
                : "OpenedTicket{rejected " + reason + "}";
    }
}
