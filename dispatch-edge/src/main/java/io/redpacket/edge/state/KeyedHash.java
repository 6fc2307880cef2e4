package io.redpacket.edge.state;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * SipHash-2-4 with a secret key drawn per process: the hash of every table an attacker can fill (winner memory,
 * opened envelopes, rate-limit buckets). With a public, unkeyed hash a colliding user id is found in a second and
 * evicts a capped user's memory on purpose; with a secret 128-bit key, collisions cannot be aimed.
 */
public final class KeyedHash {
    private final long k0;
    private final long k1;

    public KeyedHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** A fresh secret key from the system's strong random source. */
    public static KeyedHash random() {
        SecureRandom r = new SecureRandom();
        return new KeyedHash(r.nextLong(), r.nextLong());
    }

    public long hash(String s) {
        // Ids are short ASCII in practice; encode without a charset lookup in that case.
        int n = s.length();
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return hash(s.getBytes(StandardCharsets.UTF_8));
            }
            b[i] = (byte) c;
        }
        return hash(b);
    }

    public long hash(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return hash(b);
    }

    public long hash(byte[] m) {
        long[] v = {k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL, k0 ^ 0x6c7967656e657261L, k1 ^ 0x7465646279746573L};
        int len = m.length;
        int end = len - (len % 8);
        for (int i = 0; i < end; i += 8) {
            compress(v, le(m, i, 8), 2);
        }
        compress(v, ((long) len & 0xFF) << 56 | le(m, end, len - end), 2);
        v[2] ^= 0xFF;
        rounds(v, 4);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
    }

    private static void compress(long[] v, long word, int rounds) {
        v[3] ^= word;
        rounds(v, rounds);
        v[0] ^= word;
    }

    private static void rounds(long[] v, int n) {
        for (int r = 0; r < n; r++) {
            v[0] += v[1]; v[1] = Long.rotateLeft(v[1], 13); v[1] ^= v[0]; v[0] = Long.rotateLeft(v[0], 32);
            v[2] += v[3]; v[3] = Long.rotateLeft(v[3], 16); v[3] ^= v[2];
            v[0] += v[3]; v[3] = Long.rotateLeft(v[3], 21); v[3] ^= v[0];
            v[2] += v[1]; v[1] = Long.rotateLeft(v[1], 17); v[1] ^= v[2]; v[2] = Long.rotateLeft(v[2], 32);
        }
    }

    private static long le(byte[] b, int off, int n) {
        long w = 0;
        for (int i = 0; i < n; i++) {
            w |= (b[off + i] & 0xFFL) << (8 * i);
        }
        return w;
    }
}
