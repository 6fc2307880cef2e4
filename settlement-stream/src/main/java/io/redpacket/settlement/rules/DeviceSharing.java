package io.redpacket.settlement.rules;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The live rule "one device, too many accounts within minutes": a phone shared by a couple or a tablet shared by
 * relatives carries two or three accounts; a device farm or a phone passed along a chain of accounts carries more.
 * Cheap enough to run on every genuine open: per device it keeps only the accounts seen within the window (at most
 * {@link #MAX_ACCOUNTS}), so state stays bounded however long a device is abused.
 *
 * <p>Event time (the opens' own times), so a replay after a restore raises the same flags.
 */
public record DeviceSharing(int accounts, long windowMs) implements Serializable {
    /** Accounts remembered per device: past the threshold more only say "still a farm", the oldest go first. */
    public static final int MAX_ACCOUNTS = 64;
    /** One account per device is every honest phone: a flag needs at least two. */
    public static final int MIN_ACCOUNTS = 2;

    public static final String KIND = "DEVICE_SHARED_BY_ACCOUNTS";
    public static final DeviceSharing DEFAULT = new DeviceSharing(4, 10 * 60_000L);

    public DeviceSharing {
        if (accounts < MIN_ACCOUNTS || accounts > MAX_ACCOUNTS) {
            throw new IllegalArgumentException(
                    "accounts per device must be " + MIN_ACCOUNTS + ".." + MAX_ACCOUNTS + ", was " + accounts);
        }
        if (windowMs <= 0) {
            throw new IllegalArgumentException("window must be positive, was " + windowMs + " ms");
        }
    }

    /** A flag to raise: the accounts on the device in the window, the ones named for the first time, money at stake. */
    public record Flag(
            List<String> accounts, List<String> newAccounts, long firstSeenMs, long lastSeenMs, long openedFen) {}

    /**
     * Records one genuine open of {@code account} on the device and answers the flag it raises, if any. Accounts
     * last seen more than a window before {@code timeMs} are forgotten first (and may be named again later).
     */
    public Flag observe(Sightings s, String account, long timeMs, long amountFen) {
        expire(s, timeMs - windowMs);
        int i = s.indexOf(account);
        if (i < 0) {
            if (s.size() == MAX_ACCOUNTS) {
                s.remove(s.oldest());
            }
            i = s.add(account, timeMs);
        }
        s.lastSeenMs[i] = Math.max(s.lastSeenMs[i], timeMs);
        s.firstSeenMs[i] = Math.min(s.firstSeenMs[i], timeMs);
        s.openedFen[i] = Math.addExact(s.openedFen[i], amountFen);
        if (s.size() < accounts) {
            return null;
        }
        List<String> all = new ArrayList<>(s.size());
        List<String> fresh = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long fen = 0;
        Integer[] order = s.byFirstSeen();
        for (int j : order) {
            all.add(s.accounts[j]);
            if (!s.flagged[j]) {
                s.flagged[j] = true;
                fresh.add(s.accounts[j]);
            }
            first = Math.min(first, s.firstSeenMs[j]);
            fen = Math.addExact(fen, s.openedFen[j]);
        }
        return fresh.isEmpty() ? null : new Flag(all, fresh, first, timeMs, fen);
    }

    /** Forgets the accounts last seen before {@code cutoffMs}; answers whether any remain. */
    public boolean expire(Sightings s, long cutoffMs) {
        for (int i = s.size() - 1; i >= 0; i--) {
            if (s.lastSeenMs[i] < cutoffMs) {
                s.remove(i);
            }
        }
        return s.size() > 0;
    }

    /** When the device's state can go if nothing more is seen: a window after its latest open. */
    public long expiresAt(Sightings s) {
        long last = Long.MIN_VALUE;
        for (int i = 0; i < s.size(); i++) {
            last = Math.max(last, s.lastSeenMs[i]);
        }
        return last + windowMs;
    }

    /**
     * The accounts of one device within the window, as parallel arrays (a Flink POJO: public fields, no-arg
     * constructor, so its state is serialized field by field, not by Kryo).
     */
    public static final class Sightings {
        public String[] accounts = new String[0];
        public long[] firstSeenMs = new long[0];
        public long[] lastSeenMs = new long[0];
        public long[] openedFen = new long[0];
        public boolean[] flagged = new boolean[0];

        public int size() {
            return accounts.length;
        }

        int indexOf(String account) {
            for (int i = 0; i < accounts.length; i++) {
                if (accounts[i].equals(account)) {
                    return i;
                }
            }
            return -1;
        }

        int add(String account, long timeMs) {
            int n = accounts.length;
            accounts = Arrays.copyOf(accounts, n + 1);
            firstSeenMs = Arrays.copyOf(firstSeenMs, n + 1);
            lastSeenMs = Arrays.copyOf(lastSeenMs, n + 1);
            openedFen = Arrays.copyOf(openedFen, n + 1);
            flagged = Arrays.copyOf(flagged, n + 1);
            accounts[n] = account;
            firstSeenMs[n] = timeMs;
            lastSeenMs[n] = timeMs;
            return n;
        }

        void remove(int i) {
            int n = accounts.length;
            accounts = without(accounts, i, n);
            firstSeenMs = without(firstSeenMs, i, n);
            lastSeenMs = without(lastSeenMs, i, n);
            openedFen = without(openedFen, i, n);
            boolean[] f = new boolean[n - 1];
            System.arraycopy(flagged, 0, f, 0, i);
            System.arraycopy(flagged, i + 1, f, i, n - 1 - i);
            flagged = f;
        }

        int oldest() {
            int o = 0;
            for (int i = 1; i < accounts.length; i++) {
                if (lastSeenMs[i] < lastSeenMs[o]) {
                    o = i;
                }
            }
            return o;
        }

        Integer[] byFirstSeen() {
            Integer[] order = new Integer[accounts.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(
                    order,
                    (a, b) -> firstSeenMs[a] != firstSeenMs[b]
                            ? Long.compare(firstSeenMs[a], firstSeenMs[b])
                            : accounts[a].compareTo(accounts[b]));
            return order;
        }

        private static String[] without(String[] a, int i, int n) {
            String[] r = new String[n - 1];
            System.arraycopy(a, 0, r, 0, i);
            System.arraycopy(a, i + 1, r, i, n - 1 - i);
            return r;
        }

        private static long[] without(long[] a, int i, int n) {
            long[] r = new long[n - 1];
            System.arraycopy(a, 0, r, 0, i);
            System.arraycopy(a, i + 1, r, i, n - 1 - i);
            return r;
        }
    }
}
