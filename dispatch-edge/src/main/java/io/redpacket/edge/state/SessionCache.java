package io.redpacket.edge.state;

import io.redpacket.keys.KeyRing;
import io.redpacket.session.SessionLayout;
import io.redpacket.session.SessionVerifier;
import io.redpacket.session.VerifiedSession;
import java.util.concurrent.atomic.LongAdder;

/**
 * The edge's session check: {@link SessionVerifier} (decode, HMAC-SHA256, layout and lifetime checks), remembering
 * the credentials it found authentic by their <em>exact text</em>, so a user's next shake with the same session
 * (one a second, for as long as the session lives) costs a keyed hash and a comparison instead of the decoding and the
 * MAC. What is remembered is only what does not change between two presentations of the same bytes (they are
 * authentic, under a key this process holds, with that user, device, issue time and lifetime); every request still
 * passes the checks that depend on the request and the time: not expired, not issued beyond the clock skew, and
 * presented with the session's own device id. Anything else (a credential not remembered, or remembered but failing
 * one of those checks) goes through the full verifier, which answers the exact reason.
 *
 * <p>A credential is remembered the first time it verifies into a set with a free place, else the second time (see
 * {@link #meta}). Bounded and free of locks: a table of {@code capacity} entries in sets of two (the two most recently verified
 * credentials of a set stay, so two active users sharing a set do not evict each other), indexed by a keyed hash
 * (secret per process, see {@link KeyedHash}) of the credential's last characters, its MAC: nobody can aim at another
 * user's set. Only credentials that verified are stored, so a flood of forged credentials evicts nothing; a flood of
 * genuine ones (an army of accounts) only costs their owners a full verification again. Entries are immutable and
 * published by a plain reference write (final fields), so event loops share one table. Keys retired from the ring
 * stop verifying at the edge's next start, like every verification, since the table lives in the process.
 * Thread-safe.
 */
public final class SessionCache {
    /** Characters of the credential hashed for the index: its MAC, which a genuine credential cannot choose. */
    static final int INDEX_CHARS = 24;

    private record Entry(String credential, VerifiedSession session) {}

    private final Entry[] table;
    /**
     * Per set of two entries, four numbers side by side (one cache line to read on a lookup): the keyed hashes of its two entries' credentials, and
     * the hashes of the last two credentials verified once and not remembered yet. A lookup compares texts only when the hashes agree,
     * i.e. (but for a 2^-64 chance) only for the credential itself, and touches no entry of another user. A hash is
     * written before its entry without ordering: a reader that sees a hash and an entry of two different credentials
     * compares the texts and finds they differ.
     *
     * <p>A credential enters the table the first time it verifies while its set has a free place, otherwise the
     * second time. A real user's session does (it shakes every second); a stream of credentials each seen once (a
     * crowd passing by, or a benchmark drawing a new user every time) then costs a number written per request, not an
     * entry (an allocation, and a reference written into an old table, which the collector has to track). Two
     * "seen once" places per set, so two users of one set shaking in turn do not keep each other out (with one place,
     * measured: half of 50,000 active users were never remembered).
     */
    private final long[] meta;

    private static final int TAG0 = 0;
    private static final int TAG1 = 1;
    private static final int SEEN0 = 2;
    private static final int SEEN1 = 3;
    private final int mask;
    private final KeyedHash hash;
    private final ThreadLocal<SessionVerifier> verifiers;
    private final long skewMs;
    private final LongAdder hits;
    private final LongAdder misses;

    public SessionCache(KeyRing sessionRing, int capacity, KeyedHash hash) {
        this(sessionRing, capacity, hash, new LongAdder(), new LongAdder());
    }

    /**
     * @param capacity entries (a power of two, at least 2); 0 remembers nothing (every request fully verified)
     * @param hits     counts checks answered from the table; {@code misses}: those that ran the full verifier
     */
    public SessionCache(KeyRing sessionRing, int capacity, KeyedHash hash, LongAdder hits, LongAdder misses) {
        if (capacity != 0 && (capacity < 2 || Integer.bitCount(capacity) != 1)) {
            throw new IllegalArgumentException(
                    "session cache capacity " + capacity + " is not a power of two >= 2 (or 0)");
        }
        new SessionVerifier(sessionRing); // fails now, at start, if the ring holds no session key
        this.verifiers = ThreadLocal.withInitial(() -> new SessionVerifier(sessionRing));
        this.skewMs = SessionVerifier.DEFAULT_SKEW_MS;
        this.table = new Entry[capacity];
        this.meta = new long[2 * capacity];
        this.mask = capacity - 2;
        this.hash = hash;
        this.hits = hits;
        this.misses = misses;
    }

    /** As {@link SessionVerifier#verify}: the same answer for every input, remembered or not. */
    public VerifiedSession verify(String credential, String deviceId, long nowMs) {
        if (table.length == 0
                || credential == null
                || credential.length() < INDEX_CHARS
                || credential.length() > SessionLayout.MAX_CHARS) {
            return verifiers.get().verify(credential, deviceId, nowMs);
        }
        int n = credential.length();
        long h = hash.hash(credential, n - INDEX_CHARS, n);
        int set = (int) (h ^ (h >>> 32)) & mask;
        int m = 2 * set;
        Entry e = null;
        if (meta[m + TAG0] == h) {
            Entry first = table[set];
            e = first != null && sameText(first.credential, credential) ? first : null;
        }
        if (e == null && meta[m + TAG1] == h) {
            Entry second = table[set + 1];
            e = second != null && sameText(second.credential, credential) ? second : null;
        }
        if (e != null) {
            VerifiedSession s = e.session;
            if (nowMs < s.expiresAtMs()
                    && s.issuedAtMs() <= nowMs + skewMs
                    && s.deviceId().equals(deviceId)) {
                hits.increment();
                return s;
            }
        }
        misses.increment();
        VerifiedSession s = verifiers.get().verify(credential, deviceId, nowMs);
        if (s.isValid() && e == null && (table[set + 1] == null || secondTime(m, h))) {
            // The newest stays first; the one it displaces moves to the set's second place.
            Entry first = table[set];
            if (first != null) {
                meta[m + TAG1] = meta[m + TAG0];
                table[set + 1] = first;
            }
            meta[m + TAG0] = h;
            table[set] = new Entry(credential, s);
        }
        return s;
    }

    private boolean secondTime(int m, long h) {
        if (meta[m + SEEN0] == h || meta[m + SEEN1] == h) {
            return true;
        }
        meta[m + SEEN1] = meta[m + SEEN0];
        meta[m + SEEN0] = h;
        return false;
    }

    /** Every character compared, whatever the first difference (no timing hint towards a remembered credential). */
    private static boolean sameText(String a, String b) {
        int n = a.length();
        if (n != b.length()) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < n; i++) {
            diff |= a.charAt(i) ^ b.charAt(i);
        }
        return diff == 0;
    }

    public int capacity() {
        return table.length;
    }
}
