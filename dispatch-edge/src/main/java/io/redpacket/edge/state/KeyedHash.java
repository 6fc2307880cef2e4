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
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int len = m.length;
        int end = len - (len % 8);
        for (int i = 0; i < end; i += 8) {
            long w = le(m, i, 8);
            v3 ^= w;
            for (int r = 0; r < 2; r++) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= w;
        }
        long last = ((long) len & 0xFF) << 56 | le(m, end, len - end);
        v3 ^= last;
        for (int r = 0; r < 2; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        v0 ^= last;
        v2 ^= 0xFF;
        for (int r = 0; r < 4; r++) {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static long le(byte[] b, int off, int n) {
        long w = 0;
        for (int i = 0; i < n; i++) {
            w |= (b[off + i] & 0xFFL) << (8 * i);
        }
        return w;
    }
}
