package io.redpacket.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.token.Base64Url;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionVerifierTest {
    static final long NOW = 1_800_000_000_000L;
    static final KeyRing RING = KeyRing.generateSessionRing(new SecureRandom());

    @Test
    void aFreshSessionVerifiesWithItsUserDeviceAndExpiry() {
        String s = new SessionSigner(RING).sign("alice", "phone-1", NOW, 3600);
        assertThat(s.length()).isLessThanOrEqualTo(SessionLayout.MAX_CHARS);
        assertThat(s).matches("[A-Za-z0-9_-]+");
        VerifiedSession v = new SessionVerifier(RING).verify(s, "phone-1", NOW + 1000);
        assertThat(v.isValid()).isTrue();
        assertThat(v.userId()).isEqualTo("alice");
        assertThat(v.deviceId()).isEqualTo("phone-1");
        assertThat(v.keyId()).isEqualTo(1);
        assertThat(v.expiresAtMs()).isEqualTo(NOW + 3_600_000);
        assertThat(SessionLayout.unverifiedUser(s)).isEqualTo("alice");
    }

    @Test
    void everyRefusalHasItsReason() {
        SessionSigner signer = new SessionSigner(RING);
        SessionVerifier verifier = new SessionVerifier(RING);
        String s = signer.sign("bob", "tablet", NOW, 60);
        assertThat(verifier.verify(null, "tablet", NOW).reason()).isEqualTo(SessionReject.MISSING);
        assertThat(verifier.verify("", "tablet", NOW).reason()).isEqualTo(SessionReject.MISSING);
        assertThat(verifier.verify("not a session", "tablet", NOW).reason()).isEqualTo(SessionReject.MALFORMED);
        assertThat(verifier.verify(s, "tablet", NOW + 60_000).reason()).isEqualTo(SessionReject.EXPIRED);
        assertThat(verifier.verify(s, "tablet", NOW - SessionVerifier.DEFAULT_SKEW_MS - 1)
                        .reason())
                .isEqualTo(SessionReject.NOT_YET_VALID);
        assertThat(verifier.verify(s, "other-device", NOW).reason()).isEqualTo(SessionReject.DEVICE_MISMATCH);
        assertThat(verifier.verify(s, null, NOW).reason()).isEqualTo(SessionReject.DEVICE_MISMATCH);
        assertThat(verifier.verify(signer.sign("bob", "tablet", NOW, 3L * 24 * 3600), "tablet", NOW)
                        .reason())
                .as("a lifetime above the verifier's maximum")
                .isEqualTo(SessionReject.NOT_YET_VALID);
        byte[] raw = Base64Url.decode(s);
        raw[SessionLayout.OFF_IDS] = 'c';
        assertThat(verifier.verify(Base64Url.encode(raw), "tablet", NOW).reason())
                .as("user edited")
                .isEqualTo(SessionReject.NOT_AUTHENTIC);
        KeyRing other = KeyRing.generateSessionRing(new SecureRandom());
        assertThat(new SessionVerifier(other).verify(s, "tablet", NOW).reason()).isEqualTo(SessionReject.NOT_AUTHENTIC);
    }

    @Test
    void onlyTheCanonicalSpellingIsAccepted() {
        String s = new SessionSigner(RING).sign("carol", "dd", NOW, 60);
        SessionVerifier verifier = new SessionVerifier(RING);
        int spare = (s.length() & 3) == 2 ? 0x0F : (s.length() & 3) == 3 ? 0x03 : 0;
        assertThat(spare).as("this layout leaves spare bits at the end").isNotZero();
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(s.charAt(s.length() - 1));
        int accepted = 0;
        for (int bits = 0; bits <= spare; bits++) {
            String variant = s.substring(0, s.length() - 1) + alphabet.charAt((last & ~spare) | bits);
            accepted += verifier.verify(variant, "dd", NOW).isValid() ? 1 : 0;
        }
        assertThat(accepted).isEqualTo(1);
        assertThat(verifier.verify(s + "=", "dd", NOW).reason()).isEqualTo(SessionReject.MALFORMED);
    }

    @Test
    void rotationKeepsOldSessionsValidUntilTheirKeyIsRetired(@TempDir Path tmp) throws Exception {
        KeyRing v1 = KeyRing.generateSessionRing(new SecureRandom());
        String old = new SessionSigner(v1).sign("dan", "d1", NOW, 600);
        KeyRing v2 = v1.withRotatedSessionKey(new SecureRandom());
        SessionSigner signer2 = new SessionSigner(v2);
        assertThat(signer2.keyId()).isEqualTo(2);
        String fresh = signer2.sign("dan", "d1", NOW, 600);
        // rotation goes through the key store the edges load
        KeyRingStore.save(v2.sessionOnly(), tmp.resolve("s.p12"), "pw".toCharArray(), 1000);
        KeyRing loaded = KeyRingStore.load(tmp.resolve("s.p12"), "pw".toCharArray());
        assertThat(loaded.sessionKeyIds()).containsExactly(1, 2);
        assertThat(loaded.toString())
                .contains("session keys [1, 2] (signing 2)")
                .doesNotContain("token key present");
        SessionVerifier both = new SessionVerifier(loaded);
        assertThat(both.verify(old, "d1", NOW).isValid()).isTrue();
        assertThat(both.verify(fresh, "d1", NOW).isValid()).isTrue();
        SessionVerifier retired = new SessionVerifier(loaded.withoutSessionKeys(1));
        assertThat(retired.verify(old, "d1", NOW).reason()).isEqualTo(SessionReject.UNKNOWN_KEY);
        assertThat(retired.verify(fresh, "d1", NOW).isValid()).isTrue();
        assertThatThrownBy(() -> loaded.withoutSessionKeys(9)).hasMessageContaining("session key 9");
    }

    @Test
    void theIssuerRefusesIdsOutsideTheAlphabet() {
        SessionSigner signer = new SessionSigner(RING);
        assertThatThrownBy(() -> signer.sign("a,b", "d", NOW, 60)).hasMessageContaining("user id");
        assertThatThrownBy(() -> signer.sign("a", "d\n", NOW, 60)).hasMessageContaining("device id");
        assertThatThrownBy(() -> signer.sign("x".repeat(65), "d", NOW, 60)).hasMessageContaining("user id");
        assertThatThrownBy(() -> new SessionSigner(KeyRing.generate(1, new SecureRandom())))
                .hasMessageContaining("no session key");
    }
}
