package io.redpacket.settlement.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void percentilesReportTheUpperBoundOfTheirBucket() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 100; i++) {
            h.record(i);
        }
        assertThat(h.percentile(50)).isEqualTo(50);
        assertThat(h.percentile(99)).isEqualTo(99);
        assertThat(h.percentile(100)).isEqualTo(100);
        h.record(1_234);
        assertThat(h.percentile(100)).isEqualTo(1_300);
    }

    @Test
    void histogramsMergeByAddingCounts() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        for (int i = 0; i < 90; i++) {
            a.record(5);
        }
        for (int i = 0; i < 10; i++) {
            b.record(700_000);
        }
        a.merge(b);
        assertThat(a.count()).isEqualTo(100);
        assertThat(a.percentile(90)).isEqualTo(5);
        assertThat(a.percentile(95)).isEqualTo(Long.MAX_VALUE);
        a.clear();
        assertThat(a.percentile(50)).isEqualTo(-1);
    }

    @Test
    void retentionNeverSchedulesCleanupInThePast() {
        assertThat(Retention.retainUntil(1_000, 500)).isEqualTo(1_500);
        assertThat(Retention.cleanupAt(1_500, 100)).isEqualTo(1_500);
        assertThat(Retention.cleanupAt(1_500, 2_000)).isEqualTo(2_001);
        assertThat(Retention.retainUntil(Long.MAX_VALUE - 1, 500)).isEqualTo(Long.MAX_VALUE);
    }
}
