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
        return hash(s, 0, s.length());
    }

    /**
     * The hash of the UTF-8 bytes of {@code s[from, to)}. Ids are short ASCII in practice: those are hashed straight
     * from the chars, without encoding them to an array first.
     */
    public long hash(CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) >= 0x80) {
                return hash(s.subSequence(from, to).toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int len = to - from;
        int end = from + len - (len % 8);
        int i = from;
        while (true) {
            long m;
            boolean last = i >= end;
            if (!last) {
                m = 0;
                for (int k = 0; k < 8; k++) {
                    m |= (long) (s.charAt(i + k) & 0xFF) << (8 * k);
                }
                i += 8;
            } else {
                m = ((long) len & 0xFF) << 56;
                for (int k = 0; i + k < to; k++) {
                    m |= (long) (s.charAt(i + k) & 0xFF) << (8 * k);
                }
            }
            v3 ^= m;
            for (int r = 0; r < 2; r++) {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13);
                v1 ^= v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16);
                v3 ^= v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21);
                v3 ^= v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17);
                v1 ^= v2;
                v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
            if (last) {
                break;
            }
        }
        v2 ^= 0xFF;
        for (int r = 0; r < 4; r++) {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13);
            v1 ^= v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17);
            v1 ^= v2;
            v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    public long hash(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return hash(b);
    }

    public long hash(byte[] m) {
        long[] v = {
            k0 ^ 0x736f6d6570736575L, k1 ^ 0x646f72616e646f6dL, k0 ^ 0x6c7967656e657261L, k1 ^ 0x7465646279746573L
        };
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
            v[0] += v[1];
            v[1] = Long.rotateLeft(v[1], 13);
            v[1] ^= v[0];
            v[0] = Long.rotateLeft(v[0], 32);
            v[2] += v[3];
            v[3] = Long.rotateLeft(v[3], 16);
            v[3] ^= v[2];
            v[0] += v[3];
            v[3] = Long.rotateLeft(v[3], 21);
            v[3] ^= v[0];
            v[2] += v[1];
            v[1] = Long.rotateLeft(v[1], 17);
            v[1] ^= v[2];
            v[2] = Long.rotateLeft(v[2], 32);
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
