package io.redpacket.edge;

import java.util.concurrent.atomic.AtomicLong;

/** A settable clock: tests move the time axis instead of sleeping. */
public final class ManualClock implements EdgeClock {
    private final AtomicLong now;

    public ManualClock(long startMs) {
        now = new AtomicLong(startMs);
    }

    @Override
    public long nowMs() {
        return now.get();
    }

    public void set(long ms) {
        now.set(ms);
    }

    public void advance(long ms) {
        now.addAndGet(ms);
    }
}
