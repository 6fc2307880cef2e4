package io.redpacket.edge.guard;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load-based shedding of shakes. The measure is the lag of the event loops (how late a task scheduled every 20 ms
 * actually runs): it grows with everything that competes for the loops, a flood from many addresses included, and
 * is cheap to read. The worst lag of each 20 ms tick is smoothed (a moving average over ~10 ticks) so a single GC
 * pause or scheduling hiccup does not shed anyone; while the smoothed lag stays above the threshold, the share of
 * shakes answered 503 with a retry-after grows by 5 points every tick; below it, it falls by 5: the edge recovers on
 * its own as soon as the load drops, and clients that honour the retry-after (server pacing) spread their next
 * shakes over 1-2 s. Floods from one address or one user never get this far: their rate limits answer them first.
 * Opens are never shed here (they carry money; they have their own bound on what waits for Kafka).
 */
public final class LoadShedder {
    public static final long PROBE_MS = 20;

    private final long thresholdMs;
    /** Share of shakes to shed, in permille. */
    private final AtomicLong shedPermille = new AtomicLong();

    private final AtomicLong worstLagMs = new AtomicLong();
    /** Smoothed lag in 1/16 ms, touched only by the ticking thread. */
    private long smoothedLag16;

    public LoadShedder(long thresholdMs) {
        this.thresholdMs = thresholdMs;
    }

    /** Called by each event loop's probe with how late it ran. */
    public void observeLag(long lagMs) {
        worstLagMs.accumulateAndGet(lagMs, Math::max);
    }

    /** Called every probe period from one place: turns the worst lag seen since the last tick into the shed share. */
    public void tick() {
        if (thresholdMs <= 0) {
            return;
        }
        long lag = worstLagMs.getAndSet(0);
        smoothedLag16 += (lag * 16 - smoothedLag16) / 10;
        if (smoothedLag16 > thresholdMs * 16) {
            shedPermille.getAndUpdate(p -> Math.min(950, p + 50));
        } else {
            shedPermille.getAndUpdate(p -> Math.max(0, p - 50));
        }
    }

    /**
     * Whether to shed this shake now. Clients are ranked by how much of their own rate allowance they have left
     * ({@code allowanceLeftPermille}, from their rate limiter): at a shed share of p per mille, a shake whose user has
     * less than p per mille of its bucket left is shed. Users who shake at the pace the server asks keep a nearly
     * full bucket and are shed last; the heaviest go first. Without a per-user limit (1000), a random share is shed.
     */
    public boolean shed(long allowanceLeftPermille) {
        long p = shedPermille.get();
        if (p <= 0) {
            return false;
        }
        return allowanceLeftPermille >= 1000
                ? ThreadLocalRandom.current().nextLong(1000) < p
                : allowanceLeftPermille < p;
    }

    public long shedPermille() {
        return shedPermille.get();
    }

    /** For tests and operators: force a share (permille). */
    public void force(long permille) {
        shedPermille.set(Math.max(0, Math.min(1000, permille)));
    }
}
