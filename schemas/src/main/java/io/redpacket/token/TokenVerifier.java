package io.redpacket.token;

import static io.redpacket.token.TokenLayout.*;

import io.redpacket.avro.RejectReason;
import io.redpacket.envelope.Bytes;
import io.redpacket.keys.HmacSha256;
import io.redpacket.keys.KeyRing;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Checks a token's authenticity and its binding to the presenting user by local computation only. Any
 * string yields a {@link VerifiedToken}, never an exception. One instance per thread.
 */
public final class TokenVerifier {
    private final HmacSha256 mac;
    private final byte[] expected = new byte[32];

    public TokenVerifier(KeyRing ring) {
        mac = TokenSigner.tokenMac(ring);
    }

    public VerifiedToken verify(String token, String userId) {
        if (token == null || userId == null || token.length() != TOKEN_CHARS) {
            return VerifiedToken.rejected(RejectReason.MALFORMED_TOKEN);
        }
        // Canonical spelling only: a token has one text, so its hash links every presentation of it.
        byte[] bytes = Base64Url.decode(token);
        if (bytes == null || bytes.length != TOKEN_BYTES || bytes[0] != VERSION) {
            return VerifiedToken.rejected(RejectReason.MALFORMED_TOKEN);
        }
        TokenSigner.computeMac(mac, bytes, userId, expected);
        if (!MessageDigest.isEqual(
                Arrays.copyOf(expected, MAC_BYTES), Arrays.copyOfRange(bytes, OFF_MAC, TOKEN_BYTES))) {
            return VerifiedToken.rejected(RejectReason.TOKEN_NOT_AUTHENTIC);
        }
        return VerifiedToken.valid(bytes, Bytes.getLong(bytes, OFF_SHAKE_TIME), Bytes.getUint16(bytes, OFF_EDGE));
    }
}
