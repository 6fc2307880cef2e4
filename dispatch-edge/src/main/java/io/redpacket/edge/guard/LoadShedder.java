package io.redpacket.edge.guard;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load-based shedding of shakes. The measure is the lag of the event loops (how late a task scheduled every 20 ms
 * actually runs): it grows with everything that competes for the loops, a flood from many addresses included, and
 * is cheap to read. While the worst loop lags above the threshold, the share of shakes answered 503 with a
 * retry-after grows by 10 points every tick; below it, it falls by 5: the edge recovers on its own as soon as the
 * load drops, and clients that honour the retry-after (server pacing) spread their next shakes over 1-2 s.
 * Opens are never shed here (they carry money; they have their own bound on what waits for Kafka).
 */
public final class LoadShedder {
    public static final long PROBE_MS = 20;

    private final long thresholdMs;
    /** Share of shakes to shed, in permille. */
    private final AtomicLong shedPermille = new AtomicLong();
    private final AtomicLong worstLagMs = new AtomicLong();

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
        if (lag > thresholdMs) {
            shedPermille.getAndUpdate(p -> Math.min(950, p + 100));
        } else {
            shedPermille.getAndUpdate(p -> Math.max(0, p - 50));
        }
    }

    /** Whether to shed this shake now. */
    public boolean shed() {
        long p = shedPermille.get();
        return p > 0 && ThreadLocalRandom.current().nextLong(1000) < p;
    }

    public long shedPermille() {
        return shedPermille.get();
    }

    /** For tests and operators: force a share (permille). */
    public void force(long permille) {
        shedPermille.set(Math.max(0, Math.min(1000, permille)));
    }
}
