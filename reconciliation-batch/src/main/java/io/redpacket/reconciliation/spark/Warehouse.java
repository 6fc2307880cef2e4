package io.redpacket.reconciliation.spark;

import io.redpacket.cli.BadInputException;
import io.redpacket.io.FileStore;
import io.redpacket.io.Locations;
import io.redpacket.io.WarehouseLayout;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/**
 * The tables of one reconciliation run, one Parquet directory per table ({@code <table>/[partition=value/]part-*}),
 * published whole or not at all, on any file system:
 *
 * <ul>
 *   <li>where a directory rename is atomic (HDFS, local disk), the run writes into a hidden sibling
 *       {@code .<warehouse>.staging-<uuid>} and swaps it in by rename: the tables are {@code <warehouse>/<table>};</li>
 *   <li>on an object store (S3), where a rename is a copy that readers can watch half done, the run writes a new
 *       version directory {@code <warehouse>/v-<time>-<id>/} and then, last, the one-line pointer
 *       {@code <warehouse>/_CURRENT} naming it (a single PUT: readers see the old name or the new one). The previous
 *       version is kept for readers that resolved the pointer just before; older ones are deleted.</li>
 * </ul>
 *
 * Either way the published directory holds {@code _TABLES}: each table's name, partition columns and schema, so a
 * reader registers the tables without listing the warehouse or inferring schemas ({@link Published}). A failed run
 * deletes what it wrote and leaves the previous tables as they were. A directory that is not a warehouse is never
 * replaced.
 */
public final class Warehouse {
    /**
     * Sub-directories of a staging dir that are not tables (intermediate data, removed before publishing). Not "_"
     * or ".": Spark ignores input paths named so.
     */
    public static final String SCRATCH_PREFIX = "scratch-";
    /** The table list of a published warehouse; '_' so Parquet readers pointed at the directory skip it. */
    public static final String TABLES = WarehouseLayout.TABLES;
    /** On object stores: the name of the current version, written last. */
    public static final String POINTER = WarehouseLayout.POINTER;

    static final String VERSION_PREFIX = WarehouseLayout.VERSION_PREFIX;
    /** Concurrent jobs of {@link #writeAll}: enough to keep a small cluster's executors busy with one-task writes. */
    private static final int WRITERS = 4;

    private static final DateTimeFormatter VERSION_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** A table as {@code _TABLES} lists it. */
    public record Table(String name, List<String> partitionBy, StructType schema) {}

    private final FileStore store;
    private final URI target;
    private final URI staging;
    private final boolean atomicRename;
    private final Map<String, Table> written = new LinkedHashMap<>();
    /** Every table and scratch table of this run with the schema it was written with, for {@link #read}. */
    private final Map<String, StructType> schemas = new ConcurrentHashMap<>();

    private Warehouse(FileStore store, URI target, URI staging, boolean atomicRename) {
        this.store = store;
        this.target = target;
        this.staging = staging;
        this.atomicRename = atomicRename;
    }

    /** Starts a run; refuses a target that exists and is not a warehouse, before anything is written. */
    public static Warehouse begin(FileStore store, URI target) throws IOException, BadInputException {
        URI t = Locations.canonical(target);
        if (store.exists(t) && !isWarehouseOrEmpty(store, t)) {
            throw new BadInputException(
                    "--warehouse: " + Locations.display(t) + " exists and is not a reconciliation warehouse" + " (no "
                            + TABLES + " or " + POINTER + "); refusing to replace it");
        }
        boolean atomic = store.renamesAtomically(t);
        URI staging = atomic
                ? Locations.sibling(t, "." + Locations.fileName(t) + ".staging-" + UUID.randomUUID())
                : Locations.child(
                        t,
                        VERSION_PREFIX + VERSION_TIME.format(Instant.now()) + "-"
                                + UUID.randomUUID().toString().substring(0, 8));
        store.mkdirs(staging);
        return new Warehouse(store, t, staging, atomic);
    }

    private static boolean isWarehouseOrEmpty(FileStore store, URI dir) throws IOException {
        if (!store.isDirectory(dir)) {
            return false;
        }
        return store.exists(Locations.child(dir, TABLES))
                || store.exists(Locations.child(dir, POINTER))
                || store.listFiles(dir).isEmpty();
    }

    /** Where a table of this run is written (a scratch table too). */
    public String path(String table) {
        return Locations.child(staging, table).toString();
    }

    /** Intermediate data under the staging directory (removed before publishing); not listed in {@code _TABLES}. */
    public void writeScratch(String name, Dataset<Row> rows, String... partitionBy) throws IOException {
        writeParquet(name, rows, partitionBy);
    }

    /**
     * Reads back a table (or scratch table) this run wrote, with the schema it was written with: reading Parquet
     * without a schema runs a Spark job to read a footer, one per read, which on a cluster costs more than the read.
     */
    public Dataset<Row> read(SparkSession spark, String table) {
        StructType schema = schemas.get(table);
        if (schema == null) {
            throw new IllegalArgumentException("table " + table + " was not written by this run");
        }
        return spark.read().schema(schema).parquet(path(table));
    }

    private static org.apache.spark.sql.DataFrameWriter<Row> writer(Dataset<Row> rows, String... partitionBy) {
        org.apache.spark.sql.DataFrameWriter<Row> w = rows.write().mode(SaveMode.ErrorIfExists);
        return partitionBy.length == 0 ? w : w.partitionBy(partitionBy);
    }

    /**
     * Writes a table; partition columns go last (where partition discovery puts them back). An empty partitioned
     * table still gets one empty Parquet file carrying its schema, so every engine can read it.
     */
    public void write(String table, Dataset<Row> rows, String... partitionBy) throws IOException {
        written.put(table, new Table(table, List.of(partitionBy), writeParquet(table, rows, partitionBy)));
    }

    /** A table for {@link #writeAll}: its name, its rows, its partition columns. */
    public record Pending(String table, Dataset<Row> rows, String... partitionBy) {}

    /**
     * Writes tables that do not depend on each other as concurrent Spark jobs, listed in {@code _TABLES} in the given
     * order. Most are one small task (a few rows, coalesced to one file): written one after the other they keep every
     * executor but one idle and pay each job's start-up in turn. Returns when every write has ended; then throws the
     * first failure, if any (so that an abort never races a write still running).
     */
    public void writeAll(List<Pending> tables) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(WRITERS, tables.size()), r -> {
            Thread t = new Thread(r, "warehouse-writer");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<StructType>> schemasWritten = new ArrayList<>();
            for (Pending p : tables) {
                schemasWritten.add(pool.submit(() -> writeParquet(p.table(), p.rows(), p.partitionBy())));
            }
            Throwable first = null;
            for (int i = 0; i < tables.size(); i++) {
                try {
                    Pending p = tables.get(i);
                    written.put(
                            p.table(),
                            new Table(
                                    p.table(),
                                    List.of(p.partitionBy()),
                                    schemasWritten.get(i).get()));
                } catch (ExecutionException e) {
                    first = first == null ? e.getCause() : first;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException(
                            "interrupted while writing " + tables.get(i).table());
                }
            }
            if (first instanceof IOException io) {
                throw io;
            } else if (first instanceof RuntimeException re) {
                throw re;
            } else if (first instanceof Error err) {
                throw err;
            } else if (first != null) {
                throw new IOException(first);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private StructType writeParquet(String table, Dataset<Row> rows, String... partitionBy) throws IOException {
        List<String> last = List.of(partitionBy);
        List<Column> ordered = new ArrayList<>();
        for (String c : rows.columns()) {
            if (!last.contains(c)) {
                ordered.add(functions.col(c));
            }
        }
        last.forEach(c -> ordered.add(functions.col(c)));
        Dataset<Row> out = rows.select(ordered.toArray(Column[]::new));
        writer(out, partitionBy).parquet(path(table));
        if (partitionBy.length > 0
                && store.listFiles(URI.create(path(table))).stream()
                        .noneMatch(e -> e.uri().getPath().endsWith(".parquet"))) {
            out.sparkSession()
                    .createDataFrame(List.of(), out.schema())
                    .coalesce(1)
                    .write()
                    .mode(SaveMode.Overwrite)
                    .parquet(path(table));
        }
        schemas.put(table, out.schema());
        return out.schema();
    }

    /** The run's typed summary, published with the tables ({@link WarehouseLayout#SUMMARY}). */
    public void writeSummary(io.redpacket.avro.ReconciliationSummary summary) throws IOException {
        WarehouseLayout.writeSummary(store, staging, summary);
    }

    /** Removes scratch data, writes {@code _TABLES}, and publishes (swap, or pointer on an object store). */
    public void commit() throws IOException {
        for (FileStore.Entry e : store.listFiles(staging)) {
            String top = Locations.relativize(staging, e.uri()).split("/")[0];
            if (top.startsWith(SCRATCH_PREFIX)) {
                store.deleteRecursively(Locations.child(staging, top));
            }
        }
        store.writeAtomically(
                Locations.child(staging, TABLES),
                out -> out.write(encode(written.values()).getBytes(StandardCharsets.UTF_8)));
        if (atomicRename) {
            URI previous = null;
            if (store.exists(target)) {
                previous =
                        Locations.sibling(target, "." + Locations.fileName(target) + ".previous-" + UUID.randomUUID());
                store.rename(target, previous);
            }
            store.rename(staging, target);
            if (previous != null) {
                store.deleteRecursively(previous);
            }
            return;
        }
        URI pointer = Locations.child(target, POINTER);
        String before = store.exists(pointer) ? WarehouseLayout.readPointer(store, pointer) : null;
        String now = Locations.fileName(staging);
        store.writeAtomically(pointer, out -> out.write((now + "\n").getBytes(StandardCharsets.UTF_8)));
        // Keep the version readers may still be reading; drop the ones before it, and any left by failed runs.
        java.util.Set<String> versions = new java.util.TreeSet<>();
        for (FileStore.Entry e : store.listFiles(target)) {
            String top = Locations.relativize(target, e.uri()).split("/")[0];
            if (top.startsWith(VERSION_PREFIX)) {
                versions.add(top);
            }
        }
        for (String v : versions) {
            if (!v.equals(now) && !v.equals(before)) {
                store.deleteRecursively(Locations.child(target, v));
            }
        }
    }

    public void abort() {
        try {
            store.deleteRecursively(staging);
        } catch (IOException ignored) {
            // Best effort: a leftover staging or version directory is never published, and the next run removes
            // versions.
        }
    }

    // ---- reading ----

    /** A published warehouse: the directory its tables are in, and the tables as {@code _TABLES} lists them. */
    public record Published(URI dir, List<Table> tables) {
        public String path(String table) {
            return Locations.child(dir, table).toString();
        }
    }

    /** Resolves the pointer (object stores) and reads {@code _TABLES}. */
    public static Published open(FileStore store, URI warehouse) throws IOException, BadInputException {
        URI w = Locations.canonical(warehouse);
        URI dir = WarehouseLayout.publishedDir(store, w);
        URI tables = Locations.child(dir, TABLES);
        if (!store.exists(tables)) {
            throw new BadInputException(
                    Locations.display(w) + ": no " + TABLES + ": not a warehouse written by bin/redpacket reconcile"
                            + " (run it, or rerun it if the warehouse predates " + TABLES + ")");
        }
        return new Published(
                dir, decode(new String(store.readAllBytes(tables), StandardCharsets.UTF_8), Locations.display(tables)));
    }

    /** One line per table: name, tab, partition columns (comma-separated), tab, the schema as Spark's JSON. */
    static String encode(Iterable<Table> tables) {
        StringBuilder sb = new StringBuilder();
        for (Table t : tables) {
            sb.append(t.name())
                    .append('\t')
                    .append(String.join(",", t.partitionBy()))
                    .append('\t')
                    .append(t.schema().json())
                    .append('\n');
        }
        return sb.toString();
    }

    static List<Table> decode(String text, String where) throws IOException {
        List<Table> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] f = lines[i].split("\t", 3);
            try {
                DataType type = DataType.fromJson(f[2]);
                out.add(new Table(f[0], f[1].isEmpty() ? List.of() : List.of(f[1].split(",")), (StructType) type));
            } catch (RuntimeException e) {
                throw new io.redpacket.cli.CommandLines.InputFileException(
                        where + ":" + (i + 1) + ": not a table line: " + e.getMessage(), e);
            }
        }
        return out;
    }
}
