package io.redpacket.open;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.RejectReason;
import io.redpacket.envelope.OpenedTicket;

/** What local verification of an open concluded: the ticket and its batch, or a reject reason. */
public record OpenVerdict(RejectReason reason, OpenedTicket ticket, BatchConfig batch, long shakeTimeMs, int edgeId) {
    public boolean isValid() {
        return reason == null;
    }

    static OpenVerdict rejected(RejectReason reason) {
        return new OpenVerdict(reason, null, null, 0, -1);
    }

    static OpenVerdict rejected(RejectReason reason, OpenedTicket ticket, long shakeTimeMs, int edgeId) {
        return new OpenVerdict(reason, ticket, null, shakeTimeMs, edgeId);
    }
}
