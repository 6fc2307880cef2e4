package io.redpacket.edge.dispense;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShardTableAndRingTest {
    @Test
    void deadEdgeHandsItsShardsToTheFirstLiveBackupFromTheGivenSlotOn() {
        ShardTable t = ShardTable.parse("0:1/2/3, 1:2/1, 2:3");
        assertThat(t.shardsOf(1, 0)).containsExactly(0);
        t.declareDead(1, 2);
        assertThat(t.owner(0, 1)).isEqualTo(1);
        assertThat(t.owner(0, 2)).isEqualTo(2);
        assertThat(t.shardsOf(2, 2)).containsExactly(0, 1);
        t.declareDead(2, 3);
        assertThat(t.owner(0, 3)).isEqualTo(3);
        assertThat(t.owner(1, 3)).isEqualTo(-1);
        t.declareDead(1, 5); // a later declaration never resurrects earlier slots
        assertThat(t.owner(0, 2)).isEqualTo(2);
        assertThat(t.candidateShards(1)).containsExactly(0, 1);
        assertThat(t.describe()).isEqualTo("0:1/2/3,1:2/1,2:3");
    }

    @Test
    void badSpecNamesThePart() {
        assertThatThrownBy(() -> ShardTable.parse("0:1,x:2")).hasMessageContaining("'x:2'");
        assertThatThrownBy(() -> ShardTable.parse("0:1,0:2")).hasMessageContaining("twice");
    }
}
