package io.redpacket.edge.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.edge.state.KeyedHash;
import org.junit.jupiter.api.Test;

/** Rate limits, load shedding and trusted proxies as plain rules. */
class GuardUnitTest {
    @Test
    void aTokenBucketPerKeyAllowsItsBurstThenItsRateAndSaysHowLongToWait() {
        RateLimiter r = new RateLimiter(1 << 10, 10, 5, new KeyedHash(1, 2));
        long now = 1_000_000;
        for (int i = 0; i < 5; i++) {
            assertThat(r.acquire("a", now)).isZero();
        }
        long wait = r.acquire("a", now);
        assertThat(wait).isBetween(1L, 100L);
        assertThat(r.acquire("b", now)).as("another key has its own bucket").isZero();
        assertThat(r.acquire("a", now + 100)).isZero();
        assertThat(r.acquire("a", now + 100)).isPositive();
        int granted = 0;
        for (long t = now + 200; t < now + 10_200; t += 10) {
            granted += r.acquire("a", t) == 0 ? 1 : 0;
        }
        assertThat(granted).as("10 s at 10/s").isBetween(98, 102);
        assertThat(new RateLimiter(1 << 4, 0, 1, new KeyedHash(1, 2)).acquire("x", now))
                .as("rate 0 is off")
                .isZero();
    }

    @Test
    void shedsWhileTheLoopsLagAndRecoversOnItsOwn() {
        LoadShedder s = new LoadShedder(100);
        s.observeLag(2_000);
        s.tick();
        s.tick();
        s.observeLag(0);
        assertThat(s.shedPermille()).as("one long pause alone").isLessThanOrEqualTo(100);
        for (int i = 0; i < 60; i++) {
            s.observeLag(400);
            s.tick();
        }
        s.force(500);
        assertThat(s.shed(900)).as("a user well within its rate").isFalse();
        assertThat(s.shed(100)).as("a user using up its allowance").isTrue();
        int shed = 0;
        for (int i = 0; i < 10_000; i++) {
            shed += s.shed(1000) ? 1 : 0;
        }
        assertThat(shed).isBetween(4_000, 6_000);
        for (int i = 0; i < 60; i++) {
            s.observeLag(5);
            s.tick();
        }
        assertThat(s.shedPermille()).isZero();
        assertThat(s.shed(0)).isFalse();
        LoadShedder off = new LoadShedder(0);
        off.observeLag(10_000);
        off.tick();
        assertThat(off.shedPermille()).isZero();
    }
}
