package io.redpacket.edge;

import io.redpacket.edge.http.Json;

/**
 * The answer to a shake: an envelope (user-bound token plus what the client shows), nothing this time, or slow
 * down. Every answer carries the server-controlled interval before the next shake ({@code nextShakeMs}).
 */
public record ShakeResult(
        Kind kind,
        int httpStatus,
        String token,
        String sponsorId,
        String sponsorName,
        String type,
        String state,
        long nextShakeMs,
        String detail) {
    public enum Kind {
        ENVELOPE,
        NOTHING,
        CAPPED,
        SLOW_DOWN,
        UNAUTHENTICATED,
        BAD_REQUEST,
        NOT_HERE;

        final String label = name().toLowerCase(java.util.Locale.ROOT);
    }

    static ShakeResult envelope(
            String token, String sponsorId, String sponsorName, String type, String state, long nextMs) {
        return new ShakeResult(Kind.ENVELOPE, 200, token, sponsorId, sponsorName, type, state, nextMs, null);
    }

    static ShakeResult nothing(String state, long nextMs, String detail) {
        return new ShakeResult(Kind.NOTHING, 200, null, null, null, null, state, nextMs, detail);
    }

    static ShakeResult capped(String state, long nextMs) {
        return new ShakeResult(Kind.CAPPED, 200, null, null, null, null, state, nextMs, "user cap reached");
    }

    /** No valid session: 401 with the reason (MISSING, EXPIRED, NOT_AUTHENTIC, DEVICE_MISMATCH, ...). */
    static ShakeResult unauthenticated(String reason) {
        return new ShakeResult(Kind.UNAUTHENTICATED, 401, null, null, null, null, null, 0, reason);
    }

    /** 200 when the dispense quota is used up (normal flow), 429 over a rate limit, 503 when shed for overload. */
    static ShakeResult slowDown(int status, long retryAfterMs, String detail) {
        return new ShakeResult(Kind.SLOW_DOWN, status, null, null, null, null, null, retryAfterMs, detail);
    }

    static ShakeResult badRequest(String detail) {
        return new ShakeResult(Kind.BAD_REQUEST, 400, null, null, null, null, null, 0, detail);
    }

    static ShakeResult notHere(String detail) {
        return new ShakeResult(Kind.NOT_HERE, 404, null, null, null, null, null, 0, detail);
    }

    /** Ms the client must wait before the next request (a Retry-After header), 0 when none applies. */
    public long retryAfterMs() {
        return kind == Kind.SLOW_DOWN ? nextShakeMs : 0;
    }

    public String toJson() {
        Json j = new Json().str("result", kind.label);
        j.str("token", token)
                .str("sponsorId", sponsorId)
                .str("sponsorName", sponsorName)
                .str("type", type)
                .str("state", state);
        if (kind == Kind.SLOW_DOWN) {
            j.num("retryAfterMs", nextShakeMs);
        } else if (nextShakeMs > 0) {
            j.num("nextShakeMs", nextShakeMs);
        }
        return j.str(kind == Kind.UNAUTHENTICATED ? "reason" : "detail", detail).toString();
    }
}
