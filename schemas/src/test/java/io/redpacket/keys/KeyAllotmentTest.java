package io.redpacket.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyAllotmentTest {
    @Test
    void noKeySealsMoreThanItsCapAndTheBoundOnKeysHolds() {
        KeyAllotment allotment = KeyAllotment.defaults();
        SplittableRandom r = new SplittableRandom(5);
        long max = 20_000;
        KeyAllotment.Cursor cursor = allotment.cursor(1, 65_535);
        Map<Integer, Long> sealed = new HashMap<>();
        long total = 0;
        for (int i = 0; i < 200_000; i++) {
            long amount = 1 + r.nextLong(max);
            total += amount;
            sealed.merge(cursor.keyFor(amount), amount, Long::sum);
        }
        assertThat(sealed.values()).allSatisfy(v -> assertThat(v).isLessThanOrEqualTo(KeyAllotment.DEFAULT_CAP_FEN));
        assertThat((long) sealed.size()).isLessThanOrEqualTo(allotment.keysNeeded(total, max));
        assertThat(sealed.keySet())
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.rangeClosed(1, sealed.size())
                        .boxed()
                        .toList());
    }

    @Test
    void keysNeededIsExactNearTheTopOfTheLongRange() {
        // A user's --key-cap-fen and a campaign's total may both be near 2^63: ceil(total / perKey) must not overflow.
        KeyAllotment huge = new KeyAllotment(Long.MAX_VALUE);
        assertThat(huge.keysNeeded(Long.MAX_VALUE, 16_777_215L)).isEqualTo(2);
        assertThat(KeyAllotment.defaults().keysNeeded(900_000_000_000_000_000L, 1_000))
                .isEqualTo(900_000_000_000_000_000L / (KeyAllotment.DEFAULT_CAP_FEN - 1_000 + 1) + 1);
        assertThat(KeyAllotment.defaults().keysNeeded(1, 1)).isEqualTo(1);
    }

    @Test
    void anExhaustedRangeFailsLoudly() {
        KeyAllotment.Cursor cursor = new KeyAllotment(16_777_215L).cursor(7, 8);
        cursor.keyFor(16_000_000);
        cursor.keyFor(16_000_000);
        assertThatThrownBy(() -> cursor.keyFor(16_000_000)).hasMessageContaining("exhausted at key 8");
    }

    @Test
    void aCapBelowTheLargestEnvelopeIsRefused() {
        assertThatThrownBy(() -> new KeyAllotment(1_000)).hasMessageContaining("below the largest envelope");
    }

    @Test
    void blacklistBlocksAndUnblocks() {
        KeyBlacklist b = KeyBlacklist.of(1, 64, 65_535);
        assertThat(b.blocked()).containsExactly(1, 64, 65_535);
        b.unblock(64);
        assertThat(b.isBlocked(64)).isFalse();
        assertThat(b.isBlocked(-3)).isFalse();
        assertThatThrownBy(() -> b.block(0)).hasMessageContaining("key id 0");
    }
}
