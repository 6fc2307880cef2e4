package io.redpacket.session;

/** Why a session credential was refused; the edge answers 401 with this reason. */
public enum SessionReject {
    /** No credential on the request. */
    MISSING,
    /** Not a credential: bad encoding (non-canonical included), length, version or ids. */
    MALFORMED,
    /** Signed with a key id this verifier does not hold (never issued, or retired). */
    UNKNOWN_KEY,
    /** The signature does not match: forged or edited. */
    NOT_AUTHENTIC,
    /** Past its expiry: log in again. */
    EXPIRED,
    /** Issued in the future beyond the allowed clock skew, or with a lifetime above the verifier's maximum. */
    NOT_YET_VALID,
    /** Presented with another device id than the one it was issued to. */
    DEVICE_MISMATCH
}
