package io.redpacket.settlement.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RateWindowTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 7, 10, 15, 999, 2_000, 40_000, 123_457})
    void bucketQuotasOfASecondAddUpToTheLimitAndDifferByAtMostOne(long limit) {
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int k = 0; k < 10; k++) {
            long q = RateWindow.quota(limit, 5_000 + k * 100L);
            sum += q;
            min = Math.min(min, q);
            max = Math.max(max, q);
        }
        assertThat(sum).isEqualTo(limit);
        assertThat(max - min).isLessThanOrEqualTo(1);
        assertThat(RateWindow.quota(2_000, 0)).isEqualTo(200);
    }

    @Test
    void roomResetsAtEachBucketAndNeverExceedsTheQuota() {
        RateWindow w = new RateWindow();
        assertThat(w.room(1_000, 2_000)).isEqualTo(200);
        w.take(200);
        assertThat(w.room(1_099, 2_000)).isZero();
        assertThat(w.room(1_100, 2_000)).isEqualTo(200);
        w.take(50);
        assertThat(w.room(1_150, 2_000)).isEqualTo(150);
        assertThat(w.room(1_150, 0)).isEqualTo(Long.MAX_VALUE);
    }

    /** Plays the shaper's algorithm (direct release while the queue is empty, else FIFO per bucket) on a burst. */
    @Test
    void aBurstIsReleasedInArrivalOrderAtTheLimitWithNothingLost() {
        long limit = 2_000;
        RateWindow w = new RateWindow();
        Deque<Integer> queue = new ArrayDeque<>();
        List<long[]> released = new ArrayList<>(); // {id, time}
        int arrivals = 7_000;
        // all arrive within the first 50 ms
        for (int id = 0; id < arrivals; id++) {
            long now = id * 50L / arrivals;
            if (queue.isEmpty() && w.room(now, limit) > 0) {
                w.take(1);
                released.add(new long[] {id, now});
            } else {
                queue.add(id);
            }
        }
        for (long t = 100; !queue.isEmpty(); t += 100) {
            long n = Math.min(w.room(t, limit), queue.size());
            for (int i = 0; i < n; i++) {
                released.add(new long[] {queue.poll(), t});
            }
            w.take(n);
        }
        assertThat(released).hasSize(arrivals);
        for (int i = 0; i < arrivals; i++) {
            assertThat(released.get(i)[0]).isEqualTo(i);
        }
        java.util.Map<Long, Long> perBucket = new java.util.TreeMap<>();
        java.util.Map<Long, Long> perSecond = new java.util.TreeMap<>();
        for (long[] r : released) {
            perBucket.merge(r[1] / 100, 1L, Long::sum);
            perSecond.merge(r[1] / 1000, 1L, Long::sum);
        }
        assertThat(perBucket.values()).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(limit / 10));
        assertThat(perSecond.values()).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(limit));
        assertThat(perBucket).hasSize(35);
    }
}
