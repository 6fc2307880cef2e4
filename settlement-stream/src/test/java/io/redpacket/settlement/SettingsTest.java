package io.redpacket.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    private final Settings settings = new Settings("v", null, 0, new int[0], 0, Map.of("coupon", 2_000L), 0, 3, 0);

    @Test
    void limitedChannelsAreOneKeyUnshapedOnesAreShardedByEnvelope() {
        assertThat(settings.shapingKey("coupon", 7)).isEqualTo("coupon");
        assertThat(settings.shapingKey("cash", 7)).isEqualTo("cash#1");
        assertThat(settings.shapingKey("cash", 9)).isEqualTo("cash#0");
        assertThat(Settings.channelOf("cash#2")).isEqualTo("cash");
        assertThat(Settings.channelOf("coupon")).isEqualTo("coupon");
    }

    @Test
    void aLimitSetOnAShardedChannelIsSplitAcrossItsShards() {
        assertThat(settings.limitOfKey("cash#0", 100)
                        + settings.limitOfKey("cash#1", 100)
                        + settings.limitOfKey("cash#2", 100))
                .isEqualTo(100);
        assertThat(settings.limitOfKey("cash#0", 1)).isEqualTo(1); // rounded up: never starve a shard
        assertThat(settings.limitOfKey("cash#1", 0)).isZero(); // unshaped stays unshaped
        assertThat(settings.limitOfKey("coupon", 2_000)).isEqualTo(2_000);
    }
}
