package io.redpacket.reconciliation.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.types.DataTypes.*;

import io.redpacket.cli.BadInputException;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.FileStore;
import io.redpacket.io.Locations;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The settlement logs (opens, rejects, credits; Parquet written by parquet-avro, partitioned by {@code hour}),
 * reduced to the columns reconciliation uses, renamed to snake_case. A column that is missing or has another
 * type fails with the directory and column named; a log directory without Parquet files is an empty log.
 */
public record SettlementLogs(Dataset<Row> opens, Dataset<Row> rejects, Dataset<Row> credits) {

    /** Avro field name, table column name, type. */
    private record Field(String avro, String column, DataType type) {}

    private static final List<Field> OPEN_FIELDS = List.of(
            new Field("eventId", "event_id", StringType),
            new Field("userId", "user_id", StringType),
            new Field("edgeId", "edge_id", IntegerType),
            new Field("openTimeMs", "open_time_ms", LongType),
            new Field("envelopeId", "envelope_id", LongType),
            new Field("amountFen", "amount_fen", LongType),
            new Field("batchId", "batch_id", IntegerType));
    private static final List<Field> REJECT_FIELDS = List.of(
            new Field("openEventId", "open_event_id", StringType),
            new Field("reason", "reason", StringType),
            new Field("userId", "user_id", StringType),
            new Field("envelopeId", "envelope_id", LongType),
            new Field("amountFen", "amount_fen", LongType),
            new Field("batchId", "batch_id", IntegerType),
            new Field("openTimeMs", "open_time_ms", LongType));
    private static final List<Field> CREDIT_FIELDS = List.of(
            new Field("creditId", "credit_id", StringType),
            new Field("envelopeId", "envelope_id", LongType),
            new Field("userId", "user_id", StringType),
            new Field("amountFen", "amount_fen", LongType),
            new Field("batchId", "batch_id", IntegerType),
            new Field("sponsorId", "sponsor_id", StringType),
            new Field("envelopeAccount", "envelope_account", StringType),
            new Field("channel", "channel", StringType),
            new Field("openEventId", "open_event_id", StringType),
            new Field("openTimeMs", "open_time_ms", LongType),
            new Field("creditTimeMs", "credit_time_ms", LongType));

    public static SettlementLogs read(SparkSession spark, FileStore store, URI settlementDir)
            throws IOException, BadInputException {
        // Hour values like 2026-02-08-20 must stay strings, whatever Spark would guess.
        spark.conf().set("spark.sql.sources.partitionColumnTypeInference.enabled", "false");
        return new SettlementLogs(
                read(spark, store, Locations.child(settlementDir, CampaignLayout.OPEN_LOG), OPEN_FIELDS),
                read(spark, store, Locations.child(settlementDir, CampaignLayout.REJECT_LOG), REJECT_FIELDS),
                read(spark, store, Locations.child(settlementDir, CampaignLayout.CREDIT_LOG), CREDIT_FIELDS));
    }

    /** The same logs as in-memory tables have them: used by tests and by {@link #schemaOf}. */
    public static StructType openSchema() {
        return schemaOf(OPEN_FIELDS);
    }

    public static StructType rejectSchema() {
        return schemaOf(REJECT_FIELDS);
    }

    public static StructType creditSchema() {
        return schemaOf(CREDIT_FIELDS);
    }

    private static StructType schemaOf(List<Field> fields) {
        StructType s = new StructType();
        for (Field f : fields) {
            s = s.add(f.column(), f.type(), true);
        }
        return s.add("hour", StringType, true);
    }

    private static Dataset<Row> read(SparkSession spark, FileStore store, URI location, List<Field> fields)
            throws IOException, BadInputException {
        // Settlement's in-progress files are hidden (".part-...inprogress"); Spark skips them too.
        boolean hasParquet = store.listFiles(location).stream()
                .map(e -> Locations.relativize(location, e.uri()))
                .anyMatch(name -> name.endsWith(".parquet") && !hidden(name));
        if (!hasParquet) {
            return spark.createDataFrame(List.of(), schemaOf(fields));
        }
        String dir = Locations.display(location);
        Dataset<Row> raw;
        try {
            raw = spark.read().option("recursiveFileLookup", "false").parquet(location.toString());
        } catch (RuntimeException e) {
            throw new io.redpacket.cli.CommandLines.InputFileException(
                    dir + ": not a readable Parquet log: " + e.getMessage(), e);
        }
        StructType schema = raw.schema();
        List<String> problems = new ArrayList<>();
        List<Column> columns = new ArrayList<>();
        for (Field f : fields) {
            StructField actual = find(schema, f.avro());
            if (actual == null) {
                problems.add(dir + ": column " + f.avro() + " is missing (expected "
                        + f.type().simpleString() + ")");
            } else if (!actual.dataType().equals(f.type())) {
                problems.add(dir + ": column " + f.avro() + " is "
                        + actual.dataType().simpleString() + ", expected "
                        + f.type().simpleString());
            } else {
                columns.add(col(f.avro()).as(f.column()));
            }
        }
        if (!problems.isEmpty()) {
            throw new BadInputException(problems);
        }
        columns.add(
                find(schema, "hour") != null
                        ? col("hour").cast(StringType).as("hour")
                        : lit(null).cast(StringType).as("hour"));
        return raw.select(columns.toArray(Column[]::new));
    }

    /** A path Spark's file sources skip: any segment starting with '.' or '_' (in-progress files, _SUCCESS, _temporary). */
    private static boolean hidden(String relative) {
        for (String segment : relative.split("/")) {
            if (segment.startsWith(".") || segment.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    private static StructField find(StructType schema, String name) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }
}
