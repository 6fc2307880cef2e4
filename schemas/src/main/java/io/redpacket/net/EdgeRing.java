package io.redpacket.net;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Which edge a user talks to: consistent hashing of the user id onto a ring of edges, 160 virtual points per
 * edge. The same user always lands on the same edge, so the edge's local memory of winners sees all of that
 * user's shakes; adding or removing one edge moves only ~1/n of the users. Clients (the crowd, a real app's
 * gateway) compute it; the edge itself does not redirect, and a user who spreads over edges anyway is caught
 * by settlement. Points and user ids are hashed with 64-bit FNV-1a plus a finalizer, identical in every process.
 */
public final class EdgeRing {
    static final int POINTS_PER_EDGE = 160;

    private final long[] points;
    private final int[] owners;
    private final List<Integer> edges;

    public EdgeRing(List<Integer> edgeIds) {
        if (edgeIds.isEmpty()) {
            throw new IllegalArgumentException("an edge ring needs at least one edge");
        }
        this.edges = List.copyOf(edgeIds);
        int n = edgeIds.size() * POINTS_PER_EDGE;
        long[][] pairs = new long[n][];
        int k = 0;
        for (int edge : edgeIds) {
            for (int v = 0; v < POINTS_PER_EDGE; v++) {
                pairs[k++] = new long[] {hash("edge-" + edge + "#" + v), edge};
            }
        }
        Arrays.sort(pairs, (a, b) -> Long.compareUnsigned(a[0], b[0]));
        points = new long[n];
        owners = new int[n];
        for (int i = 0; i < n; i++) {
            points[i] = pairs[i][0];
            owners[i] = (int) pairs[i][1];
        }
    }

    /** The edge id serving {@code userId}: the first ring point at or after the user's hash (wrapping). */
    public int edgeFor(String userId) {
        long h = hash(userId);
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(points[mid], h) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return owners[lo == points.length ? 0 : lo];
    }

    public List<Integer> edges() {
        return edges;
    }

    public static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
