package io.redpacket.io;

import io.redpacket.avro.ReconciliationSummary;
import io.redpacket.cli.BadInputException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Where a published reconciliation warehouse keeps what readers need: the directory its tables are in (itself, or on an
 * object store the version its {@code _CURRENT} pointer names) and, in that directory, the table list and the typed
 * summary. Reconciliation writes them; anyone reads them through here.
 */
public final class WarehouseLayout {
    private WarehouseLayout() {}

    /** The table list of a published warehouse; '_' so Parquet readers pointed at the directory skip it. */
    public static final String TABLES = "_TABLES";
    /** On object stores: the name of the current version, written last. */
    public static final String POINTER = "_CURRENT";
    /** The run's {@link ReconciliationSummary}, one Avro record. */
    public static final String SUMMARY = "_SUMMARY.avro";

    public static final String VERSION_PREFIX = "v-";

    /** The directory the current tables are in: the warehouse itself, or the version its pointer names. */
    public static URI publishedDir(FileStore store, URI warehouse) throws IOException {
        URI w = Locations.canonical(warehouse);
        if (!store.isDirectory(w)) {
            throw new java.nio.file.NoSuchFileException(
                    Locations.display(w), null, "warehouse directory does not exist");
        }
        URI pointer = Locations.child(w, POINTER);
        return store.exists(pointer) ? Locations.child(w, readPointer(store, pointer)) : w;
    }

    public static String readPointer(FileStore store, URI pointer) throws IOException {
        String name = new String(store.readAllBytes(pointer), StandardCharsets.UTF_8).strip();
        if (!name.startsWith(VERSION_PREFIX) || name.contains("/")) {
            throw new io.redpacket.cli.CommandLines.InputFileException(
                    Locations.display(pointer) + ": not a warehouse version: '" + name + "'", null);
        }
        return name;
    }

    /** The summary of the warehouse's current run. */
    public static ReconciliationSummary readSummary(FileStore store, URI warehouse)
            throws IOException, BadInputException {
        URI file = Locations.child(publishedDir(store, warehouse), SUMMARY);
        if (!store.exists(file)) {
            throw new BadInputException(
                    Locations.display(file) + ": no reconciliation summary: not a warehouse written by bin/redpacket"
                            + " reconcile, or one older than the summary file (rerun reconcile)");
        }
        List<ReconciliationSummary> all = AvroFiles.readAll(store, file, ReconciliationSummary.class);
        if (all.size() != 1) {
            throw new BadInputException(Locations.display(file) + ": " + all.size() + " summaries, expected exactly 1");
        }
        return all.get(0);
    }

    public static void writeSummary(FileStore store, URI tablesDir, ReconciliationSummary summary) throws IOException {
        AvroFiles.writeAll(
                store, Locations.child(tablesDir, SUMMARY), List.of(summary), ReconciliationSummary.getClassSchema());
    }
}
