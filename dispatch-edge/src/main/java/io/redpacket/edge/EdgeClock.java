package io.redpacket.edge;

/** Wall-clock time in epoch ms; tests pass a settable clock so the time axis is driven without sleeping. */
@FunctionalInterface
public interface EdgeClock {
    EdgeClock SYSTEM = System::currentTimeMillis;

    long nowMs();
}
