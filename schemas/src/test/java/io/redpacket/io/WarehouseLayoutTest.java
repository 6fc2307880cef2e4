package io.redpacket.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.ReconciliationSummary;
import io.redpacket.cli.BadInputException;
import io.redpacket.money.ReconciliationVerdictTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarehouseLayoutTest {
    private final FileStore store = LocalFileStore.INSTANCE;

    @Test
    void theSummaryIsReadFromTheWarehouseItselfWhereRenamesPublish(@TempDir Path dir) throws Exception {
        ReconciliationSummary s = ReconciliationVerdictTest.cleanSummary();
        WarehouseLayout.writeSummary(store, dir.toUri(), s);
        assertThat(WarehouseLayout.readSummary(store, dir.toUri())).isEqualTo(s);
    }

    @Test
    void onAnObjectStoreTheSummaryIsTheOneOfTheVersionThePointerNames(@TempDir Path dir) throws Exception {
        ReconciliationSummary old = ReconciliationVerdictTest.cleanSummary();
        ReconciliationSummary current = ReconciliationVerdictTest.cleanSummary();
        current.setReconciledAtMs(2L);
        WarehouseLayout.writeSummary(store, dir.resolve("v-1").toUri(), old);
        WarehouseLayout.writeSummary(store, dir.resolve("v-2").toUri(), current);
        Files.writeString(dir.resolve(WarehouseLayout.POINTER), "v-2\n", StandardCharsets.UTF_8);
        assertThat(WarehouseLayout.readSummary(store, dir.toUri())).isEqualTo(current);
    }

    @Test
    void aWarehouseWithoutSummaryOrWithABadPointerIsNamed(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> WarehouseLayout.readSummary(store, dir.toUri()))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining(WarehouseLayout.SUMMARY);
        Files.writeString(dir.resolve(WarehouseLayout.POINTER), "../elsewhere\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> WarehouseLayout.readSummary(store, dir.toUri()))
                .hasMessageContaining("not a warehouse version");
        assertThatThrownBy(() -> WarehouseLayout.readSummary(
                        store, dir.resolve("missing").toUri()))
                .isInstanceOf(IOException.class);
    }
}
