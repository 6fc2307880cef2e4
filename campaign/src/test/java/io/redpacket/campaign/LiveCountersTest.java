package io.redpacket.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LiveCountersTest {
    @Test
    void countersAreSummedOverEdgesAndARestartedEdgeKeepsWhatItCountedBefore() {
        LiveCounters c = new LiveCounters();
        c.accept("edge-1", "dispensed", 10, 1_000);
        c.accept("edge-2", "dispensed", 7, 1_000);
        c.accept("edge-1", "dispensed", 25, 2_000);
        c.accept("edge-1", "dispensed", 25, 2_000); // delivered twice
        c.accept("edge-1", "dispensed", 3, 3_000); // edge 1 restarted: counts from zero again
        c.accept("edge-1", "dispensed", 5, 4_000);
        c.accept("edge-2", "shakes", 40, 4_000);
        assertThat(c.totals()).containsEntry("dispensed", 25L + 5 + 7).containsEntry("shakes", 40L);
    }

    @Test
    void gaugesAreNeverSummed() {
        LiveCounters c = new LiveCounters();
        c.accept("edge-1", "control_offset", 12, 1_000);
        c.accept("edge-2", "connections", 300, 1_000);
        c.accept("edge-1", "paused", 1, 1_000);
        assertThat(c.totals()).isEmpty();
    }
}
