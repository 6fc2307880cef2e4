package io.redpacket.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.RejectReason;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.keys.KeyRing;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenTest {
    static final KeyRing RING = KeyRing.generate(4, new SecureRandom());
    static final byte[] RECORD = new byte[EnvelopeLayout.RECORD_BYTES];

    static {
        new TicketSealer(RING).seal(99, 1_234, 7, 2, RECORD, 0);
    }

    static String token(String user) {
        return new TokenSigner(RING.tokenOnly()).sign(RECORD, 0, user, 1_700_000_000_123L, 638);
    }

    @Test
    void roundTripCarriesRecordTimeAndEdge() {
        String t = token("alice");
        assertThat(t).hasSize(TokenLayout.TOKEN_CHARS).hasSize(71).matches("[A-Za-z0-9_-]+");
        VerifiedToken v = new TokenVerifier(RING).verify(t, "alice");
        assertThat(v.isValid()).isTrue();
        assertThat(v.shakeTimeMs()).isEqualTo(1_700_000_000_123L);
        assertThat(v.edgeId()).isEqualTo(638);
        assertThat(Arrays.copyOfRange(v.tokenBytes(), v.recordOffset(), v.recordOffset() + 26))
                .isEqualTo(RECORD);
    }

    @Test
    void anotherUserCannotUseTheToken() {
        assertThat(new TokenVerifier(RING).verify(token("alice"), "mallory").reason())
                .isEqualTo(RejectReason.TOKEN_NOT_AUTHENTIC);
        assertThat(new TokenVerifier(RING).verify(token("alice"), "alice ").reason())
                .isEqualTo(RejectReason.TOKEN_NOT_AUTHENTIC);
    }

    @Test
    void everySingleBitFlipOfTheTokenIsRejected() {
        byte[] raw = Base64.getUrlDecoder().decode(token("bob"));
        TokenVerifier verifier = new TokenVerifier(RING);
        for (int bit = 0; bit < raw.length * 8; bit++) {
            byte[] bad = raw.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            String s = Base64.getUrlEncoder().withoutPadding().encodeToString(bad);
            VerifiedToken v = verifier.verify(s, "bob");
            assertThat(v.isValid()).as("bit %d", bit).isFalse();
            assertThat(v.reason()).isIn(RejectReason.TOKEN_NOT_AUTHENTIC, RejectReason.MALFORMED_TOKEN);
        }
    }

    @Test
    void aTokenKeyFromAnotherRingIsRejected() {
        assertThat(new TokenVerifier(KeyRing.generate(1, new SecureRandom()))
                        .verify(token("bob"), "bob")
                        .reason())
                .isEqualTo(RejectReason.TOKEN_NOT_AUTHENTIC);
    }

    @Test
    void malformedStringsAreTypedRejections() {
        TokenVerifier v = new TokenVerifier(RING);
        String good = token("carol");
        for (String s : new String[] {
            null,
            "",
            "x",
            good.substring(1),
            good + "A",
            good.replace(good.charAt(5), '*'),
            "=".repeat(71),
            " ".repeat(71)
        }) {
            assertThat(v.verify(s, "carol").reason()).as(String.valueOf(s)).isEqualTo(RejectReason.MALFORMED_TOKEN);
        }
        assertThat(v.verify(good, null).reason()).isEqualTo(RejectReason.MALFORMED_TOKEN);
    }

    @Test
    void randomStringsNeverThrowAndNeverVerify() {
        SplittableRandom r = new SplittableRandom(11);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=!";
        TokenVerifier v = new TokenVerifier(RING);
        for (int i = 0; i < 50_000; i++) {
            int len = i % 3 == 0 ? TokenLayout.TOKEN_CHARS : r.nextInt(120);
            StringBuilder sb = new StringBuilder(len);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(r.nextInt(i % 2 == 0 ? 64 : alphabet.length())));
            }
            assertThat(v.verify(sb.toString(), "u").isValid()).isFalse();
        }
    }

    /** Issue 15, defect 8: the spare low bits of the last character must be zero, so a token has one spelling. */
    @Test
    void onlyTheCanonicalSpellingOfATokenIsAccepted() {
        String t = token("erin");
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(t.charAt(t.length() - 1));
        TokenVerifier verifier = new TokenVerifier(RING);
        int accepted = 0;
        for (int spare = 0; spare < 4; spare++) {
            String variant = t.substring(0, t.length() - 1) + alphabet.charAt((last & ~3) | spare);
            accepted += verifier.verify(variant, "erin").isValid() ? 1 : 0;
        }
        assertThat(accepted).isEqualTo(1);
        assertThat(verifier.verify(t, "erin").isValid()).isTrue();
    }
}
