package io.redpacket.session;

/** An authentic, current session's user and device, or why the credential was refused. */
public record VerifiedSession(
        SessionReject reason, String userId, String deviceId, int keyId, long issuedAtMs, long expiresAtMs) {
    static VerifiedSession rejected(SessionReject reason) {
        return new VerifiedSession(reason, null, null, 0, 0, 0);
    }

    public boolean isValid() {
        return reason == null;
    }
}
