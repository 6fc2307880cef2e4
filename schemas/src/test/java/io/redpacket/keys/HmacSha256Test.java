package io.redpacket.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HmacSha256Test {
    /** RFC 4231 test cases 1 (short key) and 6 (key longer than a block, hashed first). */
    @Test
    void matchesRfc4231() {
        byte[] key1 = new byte[20];
        java.util.Arrays.fill(key1, (byte) 0x0b);
        assertThat(HexFormat.of()
                        .formatHex(new HmacSha256(key1)
                                .update("Hi There".getBytes(StandardCharsets.US_ASCII))
                                .doFinal()))
                .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        byte[] key6 = new byte[131];
        java.util.Arrays.fill(key6, (byte) 0xaa);
        assertThat(HexFormat.of()
                        .formatHex(new HmacSha256(key6)
                                .update("Test Using Larger Than Block-Size Key - Hash Key First"
                                        .getBytes(StandardCharsets.US_ASCII))
                                .doFinal()))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    /** The same function as the JDK's Mac, message after message on one instance, over lengths around the block size. */
    @Test
    void equalsTheJdkMacOnEveryLengthAndAfterReuse() throws Exception {
        Random r = new Random(11);
        for (int keyLength : new int[] {16, 32, 64, 65, 100}) {
            byte[] key = new byte[keyLength];
            r.nextBytes(key);
            Mac jdk = Mac.getInstance("HmacSHA256");
            jdk.init(new SecretKeySpec(key, "HmacSHA256"));
            HmacSha256 ours = new HmacSha256(new SecretKeySpec(key, "HmacSHA256"));
            for (int len = 0; len < 200; len++) {
                byte[] m = new byte[len];
                r.nextBytes(m);
                String user = "user-" + len + (len % 7 == 0 ? "\u00e9" : "");
                jdk.update(m);
                jdk.update(user.getBytes(StandardCharsets.UTF_8));
                byte[] expected = jdk.doFinal();
                byte[] out = new byte[40];
                ours.update(m, 0, len).updateUtf8(user).doFinal(out, 8);
                assertThat(java.util.Arrays.copyOfRange(out, 8, 40))
                        .as("key %d, length %d", keyLength, len)
                        .isEqualTo(expected);
            }
        }
    }
}
