package io.redpacket.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CampaignTimelineTest {
    private final List<String> ran = new ArrayList<>();

    private CampaignTimeline timeline() {
        return new CampaignTimeline()
                .add(0.5, "blacklist", true, () -> ran.add("blacklist"))
                .add(0.3, "insider", true, () -> ran.add("insider"))
                .add(0.4, "kill", false, () -> ran.add("kill"))
                .add(0.55, "restart", true, () -> ran.add("restart"));
    }

    @Test
    void stepsFireOnceEachInTheOrderOfTheirTimeEvenWhenSeveralFallDueTogether() throws Exception {
        CampaignTimeline t = timeline();
        t.fireDue(0.2);
        assertThat(ran).isEmpty();
        t.fireDue(0.45);
        assertThat(ran).containsExactly("insider", "kill");
        t.fireDue(0.45);
        t.fireDue(1.0);
        t.fireLate();
        assertThat(ran).containsExactly("insider", "kill", "blacklist", "restart");
        assertThat(t.fired("kill")).isTrue();
    }

    @Test
    void aCampaignThatEndsEarlyStillGetsItsMustHappenStepsInOrderButNoDrillKills() throws Exception {
        CampaignTimeline t = timeline();
        t.fireDue(0.1);
        t.fireLate();
        assertThat(ran).containsExactly("insider", "blacklist", "restart");
        assertThat(t.fired("kill")).isFalse();
    }

    @Test
    void stepsOutsideTheCampaignOrNamedTwiceAreRefused() {
        assertThatThrownBy(() -> new CampaignTimeline().add(1.5, "late", true, () -> {}))
                .hasMessageContaining("late");
        assertThatThrownBy(() -> timeline().add(0.1, "kill", false, () -> {}))
                .hasMessageContaining("two steps named kill");
    }
}
