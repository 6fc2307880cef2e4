package io.redpacket.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LiveCounterTest {
    @Test
    void aRestartIsCarriedAndLateOrRepeatedSamplesChangeNothing() {
        LiveCounter c = new LiveCounter();
        assertThat(c.accept(10, 1_000)).isEqualTo(10);
        assertThat(c.accept(25, 2_000)).isEqualTo(15);
        assertThat(c.accept(25, 2_000)).as("delivered twice").isEqualTo(-1);
        assertThat(c.accept(20, 1_500)).as("late").isEqualTo(-1);
        assertThat(c.accept(3, 3_000)).as("restarted").isEqualTo(3);
        assertThat(c.accept(5, 4_000)).isEqualTo(2);
        assertThat(c.total()).isEqualTo(25 + 5);
        assertThat(c.lastMs()).isEqualTo(4_000);
    }

    @Test
    void gaugesAreKnownByName() {
        assertThat(LiveCounter.isGauge("control_offset")).isTrue();
        assertThat(LiveCounter.isGauge("latency_p99_ms")).isTrue();
        assertThat(LiveCounter.isGauge("dispensed")).isFalse();
    }
}
