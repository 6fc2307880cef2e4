package io.redpacket.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Base64UrlTest {
    /** The definition: the JDK's decoding, accepted only when re-encoding gives back the very same text. */
    private static byte[] reference(String text) {
        try {
            byte[] b = Base64.getUrlDecoder().decode(text);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(b).equals(text) ? b : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Test
    void roundTripsEveryLength() {
        Random r = new Random(3);
        for (int len = 0; len < 300; len++) {
            byte[] b = new byte[len];
            r.nextBytes(b);
            String text = Base64Url.encode(b);
            assertThat(Base64Url.decode(text)).isEqualTo(b);
            byte[] out = new byte[len + 5];
            assertThat(Base64Url.decode("ab" + text + "c", 2, 2 + text.length(), out))
                    .isEqualTo(len);
            assertThat(java.util.Arrays.copyOf(out, len)).isEqualTo(b);
            if (len > 0) {
                assertThat(Base64Url.decode(text, 0, text.length(), new byte[len - 1]))
                        .as("does not fit")
                        .isEqualTo(-1);
            }
        }
    }

    /** Mangled texts (other alphabets, padding, spare bits, odd lengths, non-ASCII) are refused exactly when the definition refuses them. */
    @Test
    void acceptsExactlyTheCanonicalTexts() {
        Random r = new Random(5);
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=. \u00e9\u0100";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(12);
            for (int k = 0; k < len; k++) {
                sb.append(r.nextInt(10) == 0 ? chars.charAt(r.nextInt(chars.length())) : chars.charAt(r.nextInt(64)));
            }
            String text = sb.toString();
            assertThat(Base64Url.decode(text)).as("'%s'", text).isEqualTo(reference(text));
        }
    }
}
