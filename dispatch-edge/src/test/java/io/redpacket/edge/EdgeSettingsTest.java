package io.redpacket.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EdgeSettingsTest {
    @Test
    void theBuildersDefaultsAreTheEdgeCommandsDefaults() {
        EdgeCommand command = new EdgeCommand();
        new CommandLine(command).parseArgs("--campaign", "variant", "--edge-id", "3", "--session-ring", "sessions.p12");

        assertThat(command.settings(true, true))
                .isEqualTo(EdgeSettings.builder(3).build())
                .isEqualTo(EdgeSettings.defaults(3));
    }

    @Test
    void aSetterChangesOnlyItsComponentAndToBuilderKeepsTheRest() {
        EdgeSettings base = EdgeSettings.builder(1)
                .openRole(false)
                .maxInFlightOpens(1000)
                .shedShakesAbove(500)
                .build();

        assertThat(base.toBuilder().build()).isEqualTo(base);
        assertThat(base.toBuilder().reservationBlock(7).build())
                .isEqualTo(new EdgeSettings(
                        1,
                        true,
                        false,
                        base.dispensePerSecond(),
                        1000,
                        500,
                        base.shakeIntervalMs(),
                        base.maxTokenAgeMs(),
                        7,
                        base.userCacheSize()));
    }

    @Test
    void buildValidatesAsTheRecordDoes() {
        assertThatThrownBy(() -> EdgeSettings.builder(1).shedShakesAbove(30_000).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "shed-shakes-above 30000 exceeds max-in-flight-opens 20000: shakes must be shed before opens");
        assertThatThrownBy(() ->
                        EdgeSettings.builder(1).shakeRole(false).openRole(false).build())
                .hasMessage("an edge needs the shake role, the open role or both");
        assertThatThrownBy(() -> EdgeSettings.builder(-1).build()).hasMessageStartingWith("edge id -1 (allowed 0..");
    }
}
