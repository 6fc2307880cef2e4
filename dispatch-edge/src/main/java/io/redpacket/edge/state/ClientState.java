package io.redpacket.edge.state;

import java.util.Arrays;

/**
 * What a user has won so far, as the edge knows it: how many envelopes and from which sponsors (dense
 * sponsor indexes, see {@link Campaign#sponsorIndex}). Immutable; at most {@link #USER_CAP} entries.
 */
public final class ClientState {
    public static final int USER_CAP = 3;
    public static final int MAX_SPONSORS = 1 << 16;
    public static final ClientState EMPTY = new ClientState(0, new int[0]);

    private final int count;
    private final int[] sponsors;

    ClientState(int count, int[] sponsors) {
        this.count = count;
        this.sponsors = sponsors;
    }

    public int count() {
        return count;
    }

    public int[] sponsors() {
        return sponsors.clone();
    }

    int sponsorAt(int i) {
        return sponsors[i];
    }

    int sponsorSize() {
        return sponsors.length;
    }

    public boolean capped() {
        return count >= USER_CAP;
    }

    public boolean hasSponsor(int sponsorIndex) {
        for (int s : sponsors) {
            if (s == sponsorIndex) {
                return true;
            }
        }
        return false;
    }

    /** After winning one envelope of {@code sponsorIndex}. */
    public ClientState with(int sponsorIndex) {
        int[] next = Arrays.copyOf(sponsors, sponsors.length + 1);
        next[sponsors.length] = sponsorIndex;
        return new ClientState(count + 1, next);
    }

    /**
     * The stricter of two views (the client's blob and the edge's memory): a user who replays an old blob
     * to an edge that remembers a later one is judged on what the edge remembers, and vice versa.
     */
    public ClientState merge(ClientState other) {
        if (other == null || other == this) {
            return this;
        }
        int[] union = Arrays.copyOf(sponsors, sponsors.length + other.sponsors.length);
        int n = sponsors.length;
        for (int s : other.sponsors) {
            if (!hasSponsor(s)) {
                union[n++] = s;
            }
        }
        int[] trimmed = Arrays.copyOf(union, Math.min(n, USER_CAP));
        return new ClientState(Math.max(Math.max(count, other.count), n), trimmed);
    }

    /** 8 bits count, 2 bits sponsor count, 3 x 16 bits sponsor index: the form {@link UserStateCache} stores. */
    long pack() {
        long p = Math.min(count, 255) | ((long) sponsors.length << 8);
        for (int i = 0; i < sponsors.length; i++) {
            p |= ((long) sponsors[i] & 0xFFFF) << (10 + 16 * i);
        }
        return p;
    }

    static ClientState unpack(long p) {
        int n = (int) (p >>> 8) & 3;
        int[] sponsors = new int[n];
        for (int i = 0; i < n; i++) {
            sponsors[i] = (int) (p >>> (10 + 16 * i)) & 0xFFFF;
        }
        return new ClientState((int) p & 0xFF, sponsors);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClientState c && c.count == count && Arrays.equals(c.sponsors, sponsors);
    }

    @Override
    public int hashCode() {
        return 31 * count + Arrays.hashCode(sponsors);
    }

    @Override
    public String toString() {
        return "ClientState{count=" + count + ", sponsors=" + Arrays.toString(sponsors) + "}";
    }
}
