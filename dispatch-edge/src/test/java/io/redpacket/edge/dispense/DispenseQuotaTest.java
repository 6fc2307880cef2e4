package io.redpacket.edge.dispense;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DispenseQuotaTest {
    @Test
    void bucketsOfASecondAddUpToTheRateExactly() {
        for (long rate : new long[] {0, 1, 7, 10, 999, 50_000, 123_457}) {
            long sum = 0;
            for (int b = 0; b < 10; b++) {
                long a = DispenseQuota.allowance(rate, 17_000 + b);
                assertThat(a).isBetween(rate / 10, rate / 10 + 1);
                sum += a;
            }
            assertThat(sum).as("rate %d", rate).isEqualTo(rate);
        }
    }

    @Test
    void grantsAtMostTheBucketsShareThenRefillsInTheNextBucket() {
        DispenseQuota q = new DispenseQuota(100);
        long t = 1_000_000; // start of a bucket
        int granted = 0;
        for (int i = 0; i < 50; i++) {
            if (q.tryAcquire(t + 5)) {
                granted++;
            }
        }
        assertThat(granted).isEqualTo(10);
        assertThat(DispenseQuota.msUntilNextBucket(t + 5)).isEqualTo(95);
        assertThat(q.tryAcquire(t + 99)).isFalse();
        assertThat(q.tryAcquire(t + 100)).isTrue();
    }

    @Test
    void aWholeSecondGrantsTheRateNoMore() {
        DispenseQuota q = new DispenseQuota(1234);
        long granted = 0;
        for (long t = 5_000_000; t < 5_001_000; t++) {
            for (int i = 0; i < 10; i++) {
                if (q.tryAcquire(t)) {
                    granted++;
                }
            }
        }
        assertThat(granted).isEqualTo(1234);
    }

    @Test
    void rateChangesWhileRunningAndReleaseGivesBack() {
        DispenseQuota q = new DispenseQuota(10);
        long t = 2_000_000;
        assertThat(q.tryAcquire(t)).isTrue();
        assertThat(q.tryAcquire(t)).isFalse();
        q.release(t);
        assertThat(q.tryAcquire(t)).isTrue();
        q.setRate(0);
        assertThat(q.tryAcquire(t + 100)).isFalse();
        q.setRate(1000);
        assertThat(q.tryAcquire(t + 100)).isTrue();
        assertThatThrownBy(() -> q.setRate(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
