package io.redpacket.edge;

import io.redpacket.edge.http.Json;

/** The answer to an open: the amount once the open event is durably enqueued, a reject, or retry later. */
public record OpenResult(
        Kind kind,
        int httpStatus,
        long envelopeId,
        long amountFen,
        String sponsorId,
        String reason,
        long retryAfterMs) {
    public enum Kind {
        OPENED,
        REJECTED,
        RETRY,
        UNAUTHENTICATED,
        BAD_REQUEST,
        NOT_HERE
    }

    static OpenResult opened(long envelopeId, long amountFen, String sponsorId) {
        return new OpenResult(Kind.OPENED, 200, envelopeId, amountFen, sponsorId, null, 0);
    }

    static OpenResult rejected(String reason) {
        return new OpenResult(Kind.REJECTED, 403, -1, 0, null, reason, 0);
    }

    /** Nothing was lost: the client sends the same open again (settlement dedupes by envelope id); 429 or 503. */
    static OpenResult retry(int status, long retryAfterMs, String reason) {
        return new OpenResult(Kind.RETRY, status, -1, 0, null, reason, retryAfterMs);
    }

    static OpenResult unauthenticated(String reason) {
        return new OpenResult(Kind.UNAUTHENTICATED, 401, -1, 0, null, reason, 0);
    }

    static OpenResult badRequest(String reason) {
        return new OpenResult(Kind.BAD_REQUEST, 400, -1, 0, null, reason, 0);
    }

    static OpenResult notHere(String reason) {
        return new OpenResult(Kind.NOT_HERE, 404, -1, 0, null, reason, 0);
    }

    public String toJson() {
        Json j = new Json().str("result", kind.name().toLowerCase(java.util.Locale.ROOT));
        if (kind == Kind.OPENED) {
            j.num("envelopeId", envelopeId).num("amountFen", amountFen).str("sponsorId", sponsorId);
        }
        if (kind == Kind.RETRY) {
            j.num("retryAfterMs", retryAfterMs);
        }
        return j.str("reason", reason).toString();
    }
}
