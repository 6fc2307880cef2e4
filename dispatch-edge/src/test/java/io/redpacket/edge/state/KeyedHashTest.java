package io.redpacket.edge.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyedHashTest {
    /** The reference vectors of the SipHash paper (key 00..0f, messages 00.. of length 0 and 15). */
    @Test
    void matchesSipHash24ReferenceVectors() {
        KeyedHash h = new KeyedHash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
        assertThat(h.hash(new byte[0])).isEqualTo(0x726fdb47dd0e0e31L);
        byte[] m = new byte[15];
        for (int i = 0; i < m.length; i++) {
            m[i] = (byte) i;
        }
        assertThat(h.hash(m)).isEqualTo(0xa129ca6149be45e5L);
    }

    /** The char path (no array) is the same function as the byte path, for every length around the 8-byte blocks. */
    @Test
    void charsHashLikeTheirBytes() {
        KeyedHash h = KeyedHash.random();
        StringBuilder sb = new StringBuilder();
        java.util.Random r = new java.util.Random(7);
        for (int n = 0; n < 40; n++) {
            String s = sb.toString();
            assertThat(h.hash(s))
                    .as("length %d", n)
                    .isEqualTo(h.hash(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            assertThat(h.hash("xx" + s + "yyy", 2, 2 + n)).isEqualTo(h.hash(s));
            sb.append((char) (0x20 + r.nextInt(0x5F)));
        }
    }

    @Test
    void anotherSecretGivesOtherHashes() {
        KeyedHash a = KeyedHash.random();
        KeyedHash b = KeyedHash.random();
        assertThat(a.hash("victim")).isNotEqualTo(b.hash("victim"));
        assertThat(a.hash("victim")).isEqualTo(a.hash("victim"));
        assertThat(a.hash("v\u00e9")).isEqualTo(a.hash("v\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
