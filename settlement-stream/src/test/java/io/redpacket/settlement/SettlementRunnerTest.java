package io.redpacket.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.settlement.io.ShortCheckpointRocksDBOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.RocksDB;

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

    @Test
    void rocksDbChosenByTheJobGetsOptionsForShortCheckpoints() throws Exception {
        SettlementConfig c = SettlementConfig.builder(
                        URI.create("file:///campaign/variant"), "localhost:9092", URI.create("file:///out"))
                .stateBackend(SettlementConfig.ROCKSDB)
                .build();
        String factory = SettlementRunner.jobConfiguration(c).toMap().get("state.backend.rocksdb.options-factory");
        assertThat(factory).isEqualTo(ShortCheckpointRocksDBOptions.class.getName());
        // Flink instantiates it by name on the TaskManagers
        assertThat(Class.forName(factory).getDeclaredConstructor().newInstance())
                .isInstanceOf(RocksDBOptionsFactory.class);
        RocksDB.loadLibrary();
        try (ColumnFamilyOptions options = new ColumnFamilyOptions();
                ColumnFamilyOptions defaults = new ColumnFamilyOptions()) {
            List<AutoCloseable> handles = new ArrayList<>();
            new ShortCheckpointRocksDBOptions().createColumnOptions(options, handles);
            assertThat(options.level0SlowdownWritesTrigger())
                    .as("a flush waits for compaction only past this many level-0 files")
                    .isGreaterThan(defaults.level0SlowdownWritesTrigger());
            assertThat(options.level0StopWritesTrigger()).isGreaterThan(options.level0SlowdownWritesTrigger());
            assertThat(handles).isEmpty();
        }
    }

    @Test
    void theHeapBackendGetsNoRocksDbOptions() {
        SettlementConfig c = SettlementConfig.builder(
                        URI.create("file:///campaign/variant"), "localhost:9092", URI.create("file:///out"))
                .stateBackend(SettlementConfig.HASHMAP)
                .build();
        assertThat(SettlementRunner.jobConfiguration(c).toMap())
                .doesNotContainKey("state.backend.rocksdb.options-factory");
    }
}
