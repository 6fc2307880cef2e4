package io.redpacket.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettlementRunnerTest {
    @Test
    void aLocalMiniClusterGetsEnoughManagedMemoryForTheRecordStoreUnlessTheCallerSaysOtherwise() {
        assertThat(SettlementRunner.localMiniCluster(Map.of())).containsEntry("taskmanager.memory.managed.size", "1g");
        assertThat(SettlementRunner.localMiniCluster(
                        Map.of("taskmanager.memory.managed.size", "256m", "rest.port", "1")))
                .containsEntry("taskmanager.memory.managed.size", "256m")
                .containsEntry("rest.port", "1");
    }

    @Test
    void theJobsOwnOptionsLeaveATaskManagersMemoryToItsCluster() {
        SettlementConfig c = SettlementConfig.builder(
                        URI.create("file:///campaign/variant"), "localhost:9092", URI.create("file:///out"))
                .build();
        assertThat(SettlementRunner.jobConfiguration(c).toMap()).doesNotContainKey("taskmanager.memory.managed.size");
    }
}
