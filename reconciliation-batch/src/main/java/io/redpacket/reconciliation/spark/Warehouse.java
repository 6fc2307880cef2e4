package io.redpacket.reconciliation.spark;

import io.redpacket.cli.BadInputException;
import io.redpacket.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * A warehouse directory holds the tables of one reconciliation run, one Parquet directory per table:
 * {@code <warehouse>/<table>/[partition=value/]part-*.parquet}. A run writes into a hidden staging sibling and
 * only then swaps it in, so a failed run leaves the previous tables untouched and readers never see half a run.
 */
public final class Warehouse {
    /**
     * Sub-directories of a staging dir that are not tables (intermediate data, removed before the swap). Not "_"
     * or ".": Spark ignores input paths named so.
     */
    public static final String SCRATCH_PREFIX = "scratch-";

    private final Path target;
    private final Path staging;

    private Warehouse(Path target, Path staging) {
        this.target = target;
        this.staging = staging;
    }

    public static Warehouse begin(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Files.createDirectories(abs.getParent());
        Path staging = abs.resolveSibling("." + abs.getFileName() + ".staging-" + UUID.randomUUID());
        Files.createDirectories(staging);
        return new Warehouse(abs, staging);
    }

    public Path staging() {
        return staging;
    }

    public String path(String table) {
        return staging.resolve(table).toString();
    }

    /**
     * Writes a table; partition columns go last (where partition discovery puts them back). An empty partitioned
     * table still gets one empty Parquet file carrying its schema, so every engine can read it.
     */
    public void write(String table, Dataset<Row> rows, String... partitionBy) throws IOException {
        if (partitionBy.length == 0) {
            rows.write().mode(SaveMode.ErrorIfExists).parquet(path(table));
            return;
        }
        List<String> last = List.of(partitionBy);
        List<org.apache.spark.sql.Column> ordered = new java.util.ArrayList<>();
        for (String c : rows.columns()) {
            if (!last.contains(c)) {
                ordered.add(org.apache.spark.sql.functions.col(c));
            }
        }
        last.forEach(c -> ordered.add(org.apache.spark.sql.functions.col(c)));
        Dataset<Row> out = rows.select(ordered.toArray(org.apache.spark.sql.Column[]::new));
        out.write().mode(SaveMode.ErrorIfExists).partitionBy(partitionBy).parquet(path(table));
        boolean hasData;
        try (Stream<Path> files = Files.walk(staging.resolve(table))) {
            hasData = files.anyMatch(p -> p.getFileName().toString().endsWith(".parquet"));
        }
        if (!hasData) {
            out.sparkSession().createDataFrame(List.of(), out.schema()).coalesce(1)
                    .write().mode(SaveMode.Overwrite).parquet(path(table));
        }
    }

    /** Removes scratch data and swaps the staging directory in for the target; the previous run is deleted. */
    public void commit() throws IOException {
        try (Stream<Path> children = Files.list(staging)) {
            for (Path p : children.filter(p -> p.getFileName().toString().startsWith(SCRATCH_PREFIX)).toList()) {
                AtomicFiles.deleteTree(p);
            }
        }
        Path previous = null;
        if (Files.exists(target)) {
            previous = target.resolveSibling("." + target.getFileName() + ".previous-" + UUID.randomUUID());
            AtomicFiles.rename(target, previous);
        }
        AtomicFiles.rename(staging, target);
        if (previous != null) {
            AtomicFiles.deleteTree(previous);
        }
    }

    public void abort() {
        try {
            AtomicFiles.deleteTree(staging);
        } catch (IOException ignored) {
            // Best effort: a leftover hidden staging directory is harmless and named as such.
        }
    }

    /** Table names of a committed warehouse: its non-hidden sub-directories. */
    public static List<String> tables(Path warehouse) throws IOException, BadInputException {
        if (!Files.isDirectory(warehouse)) {
            throw new java.nio.file.NoSuchFileException(warehouse.toString(), null, "warehouse directory does not exist");
        }
        try (Stream<Path> children = Files.list(warehouse)) {
            List<String> names = children.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && !n.startsWith(SCRATCH_PREFIX)).sorted().toList();
            if (names.isEmpty()) {
                throw new BadInputException(warehouse + ": no tables (run bin/redpacket reconcile first)");
            }
            return names;
        }
    }

    /** Registers every table of a warehouse as a temporary view of the same name. */
    public static List<String> registerViews(SparkSession spark, Path warehouse) throws IOException, BadInputException {
        List<String> names = tables(warehouse);
        for (String name : names) {
            spark.read().parquet(warehouse.resolve(name).toString()).createOrReplaceTempView(name);
        }
        return names;
    }
}
