package io.redpacket.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.envelope.Bytes;
import io.redpacket.keys.KeyRing;
import io.redpacket.token.Base64Url;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Over a million inputs, none accepted: random text, random well-shaped credentials, and every kind of edit of a
 * genuine one (bit flips, character swaps, truncation, extension, non-canonical endings, its bytes re-signed with
 * another key under the same key id). The genuine credential itself is accepted, so the verifier is not simply
 * refusing everything.
 */
class SessionVerifierFuzzTest {
    static final long NOW = 1_800_000_000_000L;
    static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    static final int INPUTS = 1_200_000;

    @Test
    @Timeout(300)
    void noneOfOverAMillionForgedOrMangledCredentialsIsAccepted() {
        KeyRing ring = KeyRing.generateSessionRing(new SecureRandom()).withRotatedSessionKey(new SecureRandom());
        KeyRing attacker = KeyRing.generateSessionRing(new SecureRandom()).withRotatedSessionKey(new SecureRandom());
        SessionVerifier verifier = new SessionVerifier(ring);
        String genuine = new SessionSigner(ring).sign("victim-42", "phone-7", NOW, 3600);
        assertThat(verifier.verify(genuine, "phone-7", NOW).isValid()).isTrue();
        byte[] raw = Base64Url.decode(genuine);
        SessionSigner forger = new SessionSigner(attacker);
        SplittableRandom rnd = new SplittableRandom(20261127);
        long accepted = 0;
        long[] byKind = new long[7];
        for (int i = 0; i < INPUTS; i++) {
            int kind = i % 7;
            String input = switch (kind) {
                case 0 -> randomText(rnd, rnd.nextInt(SessionLayout.MAX_CHARS + 20));
                case 1 -> Base64Url.encode(wellShaped(rnd));
                case 2 -> flipBits(raw, rnd);
                case 3 -> swapChar(genuine, rnd);
                case 4 ->
                    rnd.nextBoolean()
                            ? genuine.substring(0, rnd.nextInt(genuine.length()))
                            : genuine + randomText(rnd, 1 + rnd.nextInt(8));
                case 5 -> forger.sign("victim-42", "phone-7", NOW - rnd.nextInt(1000), 1 + rnd.nextInt(3600));
                default -> nonCanonicalOrUnicode(genuine, rnd);
            };
            if (input.equals(genuine)) {
                continue;
            }
            byKind[kind]++;
            if (verifier.verify(input, "phone-7", NOW).isValid()) {
                accepted++;
            }
        }
        long total = java.util.Arrays.stream(byKind).sum();
        assertThat(total).isGreaterThanOrEqualTo(1_000_000);
        assertThat(accepted)
                .as("forged or mangled credentials accepted out of %d", total)
                .isZero();
    }

    private static String randomText(SplittableRandom rnd, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(rnd.nextInt(10) == 0 ? (char) rnd.nextInt(0x20, 0x7F) : ALPHABET.charAt(rnd.nextInt(64)));
        }
        return sb.toString();
    }

    /** A credential-shaped byte string (version, key id 1 or 2, lengths consistent, id characters) with a random MAC. */
    private static byte[] wellShaped(SplittableRandom rnd) {
        int u = 1 + rnd.nextInt(SessionLayout.MAX_ID_CHARS);
        int d = 1 + rnd.nextInt(SessionLayout.MAX_ID_CHARS);
        byte[] b = new byte[SessionLayout.OFF_IDS + u + d + SessionLayout.MAC_BYTES];
        b[0] = SessionLayout.VERSION;
        Bytes.putUint16(b, SessionLayout.OFF_KEY_ID, 1 + rnd.nextInt(2));
        Bytes.putLong(b, SessionLayout.OFF_ISSUED, NOW - rnd.nextInt(100_000));
        Bytes.putInt(b, SessionLayout.OFF_LIFETIME, 1 + rnd.nextInt(100_000));
        b[SessionLayout.OFF_USER_LEN] = (byte) u;
        b[SessionLayout.OFF_DEVICE_LEN] = (byte) d;
        for (int i = SessionLayout.OFF_IDS; i < b.length; i++) {
            b[i] = (byte) ALPHABET.charAt(rnd.nextInt(64));
        }
        return b;
    }

    private static String flipBits(byte[] raw, SplittableRandom rnd) {
        byte[] b = raw.clone();
        int flips = 1 + rnd.nextInt(3);
        for (int f = 0; f < flips; f++) {
            int bit = rnd.nextInt(b.length * 8);
            b[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return Base64Url.encode(b);
    }

    private static String swapChar(String s, SplittableRandom rnd) {
        int at = rnd.nextInt(s.length());
        char c = ALPHABET.charAt(rnd.nextInt(64));
        return s.substring(0, at) + c + s.substring(at + 1);
    }

    private static String nonCanonicalOrUnicode(String s, SplittableRandom rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 ->
                s.substring(0, s.length() - 1)
                        + ALPHABET.charAt((ALPHABET.indexOf(s.charAt(s.length() - 1)) | (1 + rnd.nextInt(3))) & 63);
            case 1 -> s + "=";
            case 2 -> s.replace('-', '+').replace('_', '/');
            default ->
                s.substring(0, rnd.nextInt(s.length()))
                        + (char) rnd.nextInt(0x80, 0x3000)
                        + s.substring(1 + rnd.nextInt(s.length() - 1));
        };
    }
}
