package io.redpacket.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeRingTest {
    @Test
    void ringIsStableSpreadAndMovesFewUsersWhenAnEdgeLeaves() {
        EdgeRing four = new EdgeRing(List.of(0, 1, 2, 3));
        EdgeRing three = new EdgeRing(List.of(0, 1, 2));
        Map<Integer, Integer> load = new HashMap<>();
        int moved = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            String u = "user-" + i;
            int e = four.edgeFor(u);
            assertThat(new EdgeRing(List.of(3, 2, 1, 0)).edgeFor(u)).isEqualTo(e);
            load.merge(e, 1, Integer::sum);
            if (e != 3 && three.edgeFor(u) != e) {
                moved++;
            }
        }
        assertThat(load.values()).allSatisfy(c -> assertThat(c).isBetween(n / 4 * 7 / 10, n / 4 * 13 / 10));
        assertThat(moved).as("users of surviving edges that moved").isZero();
    }
}
