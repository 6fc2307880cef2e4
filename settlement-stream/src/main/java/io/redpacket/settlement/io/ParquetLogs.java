package io.redpacket.settlement.io;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.formats.parquet.avro.AvroParquetWriters;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;

/**
 * The open, credit and reject logs: Parquet files (parquet-avro, the records' own Avro schema) under
 * {@code <dir>/hour=yyyy-MM-dd-HH/}, where the hour is the UTC hour of the open (event time), so a rerun
 * writes the same partitions. Bulk formats roll on checkpoints: a file becomes visible when its checkpoint
 * completes, in step with the transactional Kafka sink.
 */
public final class ParquetLogs {
    private ParquetLogs() {}

    public static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH").withZone(ZoneOffset.UTC);

    public static String hourPartition(long epochMs) {
        return "hour=" + HOUR.format(Instant.ofEpochMilli(epochMs));
    }

    public static <T extends SpecificRecordBase> FileSink<T> sink(String dir, Class<T> type, EventTime<T> time) {
        return FileSink.forBulkFormat(new Path(dir), AvroParquetWriters.forSpecificRecord(type))
                .withBucketAssigner(new HourOfEvent<>(time))
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".parquet").build())
                .build();
    }

    @FunctionalInterface
    public interface EventTime<T> extends Serializable {
        long of(T element);
    }

    static final class HourOfEvent<T> implements BucketAssigner<T, String> {
        private final EventTime<T> time;

        HourOfEvent(EventTime<T> time) {
            this.time = time;
        }

        @Override
        public String getBucketId(T element, Context context) {
            return hourPartition(time.of(element));
        }

        @Override
        public SimpleVersionedSerializer<String> getSerializer() {
            return SimpleVersionedStringSerializer.INSTANCE;
        }
    }
}
