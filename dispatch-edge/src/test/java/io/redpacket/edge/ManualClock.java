package io.redpacket.edge;

import java.util.concurrent.atomic.AtomicLong;

/** A settable clock: tests move the time axis instead of sleeping. */
final class ManualClock implements EdgeClock {
    private final AtomicLong now;

    ManualClock(long startMs) {
        now = new AtomicLong(startMs);
    }

    @Override
    public long nowMs() {
        return now.get();
    }

    void set(long ms) {
        now.set(ms);
    }

    void advance(long ms) {
        now.addAndGet(ms);
    }
}
