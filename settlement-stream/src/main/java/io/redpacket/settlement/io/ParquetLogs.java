package io.redpacket.settlement.io;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.formats.parquet.ParquetBuilder;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;

/**
 * The open, credit and reject logs: Parquet files (parquet-avro, the records' own Avro schema) under
 * {@code <dir>/hour=yyyy-MM-dd-HH/}, where the hour is the UTC hour of the open (event time), so a rerun
 * writes the same partitions. Bulk formats roll on checkpoints: a file becomes visible when its checkpoint
 * completes, in step with the transactional Kafka sink.
 *
 * <p>Records are written field by field by {@link SpecificRecordWriteSupport} (same schema and footer as
 * parquet-avro, without its per-value generic dispatch). Writer settings are chosen for write speed on the hot path, where most columns are unique per row (event
 * ids, tokens, user ids): no dictionary encoding (on unique columns it built a hash map per page only to fall
 * back to plain encoding, measured as half of the CPU of the two hottest tasks; on the few repetitive ones,
 * sponsor, channel, reason, Snappy does nearly as well), and min/max statistics only on numeric columns (ids,
 * amounts, times: what reconciliation and analysts filter on), not on strings, where comparing bytes per value
 * costs more than it prunes. Pages are Snappy-compressed.
 */
public final class ParquetLogs {
    private ParquetLogs() {}

    public static final DateTimeFormatter HOUR =
            DateTimeFormatter.ofPattern("yyyy-MM-dd-HH").withZone(ZoneOffset.UTC);
    private static final long HOUR_MS = 3_600_000L;

    public static String hourPartition(long epochMs) {
        return "hour=" + HOUR.format(Instant.ofEpochMilli(epochMs));
    }

    public static <T extends SpecificRecordBase> FileSink<T> sink(String dir, Class<T> type, EventTime<T> time) {
        // A record the log writer cannot write is refused here, in the client, not by every TaskManager at run time.
        new SpecificRecordWriteSupport<T>(new SpecificData(type.getClassLoader()).getSchema(type));
        return FileSink.forBulkFormat(new Path(dir), new ParquetWriterFactory<>(new LogWriterBuilder<>(type)))
                .withBucketAssigner(new HourOfEvent<>(time))
                .withOutputFileConfig(OutputFileConfig.builder()
                        .withPartPrefix("part")
                        .withPartSuffix(".parquet")
                        .build())
                .build();
    }

    @FunctionalInterface
    public interface EventTime<T> extends Serializable {
        long of(T element);
    }

    static final class LogWriterBuilder<T extends SpecificRecordBase> implements ParquetBuilder<T> {
        private final Class<T> type;

        LogWriterBuilder(Class<T> type) {
            this.type = type;
        }

        @Override
        public ParquetWriter<T> createWriter(OutputFile out) throws java.io.IOException {
            Schema schema = new SpecificData(type.getClassLoader()).getSchema(type);
            DirectWriterBuilder<T> b = new DirectWriterBuilder<T>(out, new SpecificRecordWriteSupport<T>(schema))
                    // A Hadoop configuration without its default resources: the builder's own default, new per
                    // writer, parsed core-default.xml and core-site.xml from the class path at every file (every
                    // checkpoint, per log and subtask: 14-16% of the two hottest tasks' JFR samples, issue 18).
                    // Nothing here reads Hadoop settings: the file is Flink's stream; codec and options are set below.
                    .withConf(new Configuration(false))
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .withDictionaryEncoding(false);
            for (Schema.Field f : schema.getFields()) {
                if (isString(f.schema())) {
                    b = b.withStatisticsEnabled(f.name(), false).withSizeStatisticsEnabled(f.name(), false);
                }
            }
            return b.build();
        }
    }

    private static final class DirectWriterBuilder<T extends SpecificRecordBase>
            extends ParquetWriter.Builder<T, DirectWriterBuilder<T>> {
        private final SpecificRecordWriteSupport<T> writeSupport;

        DirectWriterBuilder(OutputFile out, SpecificRecordWriteSupport<T> writeSupport) {
            super(out);
            this.writeSupport = writeSupport;
        }

        @Override
        protected DirectWriterBuilder<T> self() {
            return this;
        }

        @Override
        protected WriteSupport<T> getWriteSupport(Configuration conf) {
            return writeSupport;
        }

        @Override
        protected WriteSupport<T> getWriteSupport(org.apache.parquet.conf.ParquetConfiguration conf) {
            return writeSupport;
        }
    }

    private static boolean isString(Schema s) {
        return switch (s.getType()) {
            case STRING, ENUM -> true;
            case UNION -> s.getTypes().stream().anyMatch(ParquetLogs::isString);
            default -> false;
        };
    }

    static final class HourOfEvent<T> implements BucketAssigner<T, String> {
        private final EventTime<T> time;
        // Consecutive elements almost always fall into the same hour: format the partition name once per hour.
        private transient long cachedHour = Long.MIN_VALUE;
        private transient String cachedPartition;

        HourOfEvent(EventTime<T> time) {
            this.time = time;
        }

        @Override
        public String getBucketId(T element, Context context) {
            long ms = time.of(element);
            long hour = Math.floorDiv(ms, HOUR_MS);
            if (hour != cachedHour || cachedPartition == null) {
                cachedPartition = hourPartition(ms);
                cachedHour = hour;
            }
            return cachedPartition;
        }

        @Override
        public SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }
    }
}
