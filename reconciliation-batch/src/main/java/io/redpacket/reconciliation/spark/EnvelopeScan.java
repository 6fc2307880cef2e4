package io.redpacket.reconciliation.spark;

import static org.apache.spark.sql.types.DataTypes.*;

import io.redpacket.io.FileStore;
import io.redpacket.reconciliation.CampaignInputs;
import io.redpacket.reconciliation.scan.BatchBytes;
import io.redpacket.reconciliation.scan.EnvelopeFileScanner;
import io.redpacket.reconciliation.scan.ScanSink;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.sketch.BloomFilter;

/**
 * Decrypts every record of every envelope file (whole files per task, several per task when there are many) and returns the facts as rows of one flat
 * schema told apart by {@code kind}. Per-record rows exist only for failures, violations and records the
 * settlement logs may reference (Bloom filter over their envelope ids); everything else leaves the task as per
 * batch totals and compact id blobs, so 1e8 records become a few million rows.
 */
public final class EnvelopeScan {
    private EnvelopeScan() {}

    public static final String KIND_FILE = "FILE";
    public static final String KIND_BATCH = "BATCH";
    public static final String KIND_FAILURE = "FAILURE";
    public static final String KIND_VIOLATION = "VIOLATION";
    public static final String KIND_REFERENCED = "REFERENCED";
    public static final String KIND_IDS = "IDS";

    /** Ids per uniqueness bucket: 2^22 ids, a 512 KiB bit set per bucket task. */
    public static final int BUCKET_BITS = 22;

    public static final StructType SCHEMA = new StructType()
            .add("kind", StringType, false)
            .add("file_name", StringType, false)
            .add("slot_id", StringType, true)
            .add("batch_id", IntegerType, true)
            .add("key_id", IntegerType, true)
            .add("envelope_id", LongType, true)
            .add("amount_fen", LongType, true)
            .add("record_count", LongType, true)
            .add("record_index", LongType, true)
            .add("reason", StringType, true)
            .add("bucket", LongType, true)
            .add("blob", BinaryType, true)
            .add("checksum", StringType, true)
            .add("byte_size", LongType, true)
            .add("key_ids", createArrayType(IntegerType, false), true);

    public static Dataset<Row> scan(
            SparkSession spark,
            CampaignInputs inputs,
            KeyRingSource keys,
            TaskFiles taskFiles,
            BloomFilter referenced) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String[]> files = new ArrayList<>();
        for (CampaignInputs.EnvelopeFile f : inputs.envelopeFiles()) {
            files.add(new String[] {f.fileName(), f.slotId(), f.uri().toString()});
        }
        Broadcast<byte[][]> batches = jsc.broadcast(BatchBytes.encode(inputs.batches()));
        Broadcast<BloomFilter> bloom = jsc.broadcast(referenced);
        // Several files per task keep the scratch output to a few files per kind; four tasks per core still balance.
        int tasks = Math.max(1, Math.min(files.size(), 4 * jsc.defaultParallelism()));
        JavaRDD<Row> rows = jsc.parallelize(files, tasks)
                .mapPartitions(it -> scanPartition(it, keys, taskFiles, batches.value(), bloom.value()));
        return spark.createDataFrame(rows, SCHEMA);
    }

    private static Iterator<Row> scanPartition(
            Iterator<String[]> files, KeyRingSource keys, TaskFiles taskFiles, byte[][] batches, BloomFilter bloom)
            throws Exception {
        if (!files.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        FileStore store = taskFiles.store();
        EnvelopeFileScanner scanner = new EnvelopeFileScanner(
                keys.opener(), BatchBytes.decode(batches), bloom::mightContainLong, BUCKET_BITS);
        // One file's rows at a time: memory per task is bounded by the largest file, not by the task's share.
        return new Iterator<>() {
            private Iterator<Row> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && files.hasNext()) {
                    String[] f = files.next();
                    RowSink sink = new RowSink();
                    try (InputStream in = store.open(URI.create(f[2]))) {
                        scanner.scan(f[0], f[1], in, sink);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(f[2] + ": " + e.getMessage(), e);
                    }
                    current = sink.rows.iterator();
                }
                return current.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    private static final class RowSink implements ScanSink {
        final List<Row> rows = new ArrayList<>();

        private void add(
                String kind,
                String file,
                String slot,
                Integer batch,
                Integer key,
                Long envelope,
                Long amount,
                Long count,
                Long index,
                String reason,
                Long bucket,
                byte[] blob,
                String checksum,
                Long size,
                int[] keyIds) {
            rows.add(RowFactory.create(
                    kind,
                    file,
                    slot,
                    batch,
                    key,
                    envelope,
                    amount,
                    count,
                    index,
                    reason,
                    bucket,
                    blob,
                    checksum,
                    size,
                    keyIds == null
                            ? null
                            : java.util.Arrays.stream(keyIds).boxed().toArray(Integer[]::new)));
        }

        @Override
        public void file(
                String fileName, String slotId, long recordCount, long byteSize, String checksum, int[] keyIds) {
            add(
                    KIND_FILE,
                    fileName,
                    slotId,
                    null,
                    null,
                    null,
                    null,
                    recordCount,
                    null,
                    null,
                    null,
                    null,
                    checksum,
                    byteSize,
                    keyIds);
        }

        @Override
        public void batch(String fileName, int batchId, long count, long amountFen) {
            add(
                    KIND_BATCH,
                    fileName,
                    null,
                    batchId,
                    null,
                    null,
                    amountFen,
                    count,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null);
        }

        @Override
        public void failure(String fileName, long recordIndex, String reason, int headerKeyId, int headerBatchId) {
            add(
                    KIND_FAILURE,
                    fileName,
                    null,
                    headerBatchId,
                    headerKeyId,
                    null,
                    null,
                    null,
                    recordIndex,
                    reason,
                    null,
                    null,
                    null,
                    null,
                    null);
        }

        @Override
        public void violation(
                String fileName,
                long recordIndex,
                String reason,
                long envelopeId,
                long amountFen,
                int batchId,
                int keyId) {
            add(
                    KIND_VIOLATION,
                    fileName,
                    null,
                    batchId,
                    keyId,
                    envelopeId,
                    amountFen,
                    null,
                    recordIndex,
                    reason,
                    null,
                    null,
                    null,
                    null,
                    null);
        }

        @Override
        public void referenced(String fileName, long envelopeId, long amountFen, int batchId, int keyId) {
            add(
                    KIND_REFERENCED,
                    fileName,
                    null,
                    batchId,
                    keyId,
                    envelopeId,
                    amountFen,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null);
        }

        @Override
        public void ids(String fileName, long bucket, byte[] blob) {
            add(KIND_IDS, fileName, null, null, null, null, null, null, null, null, bucket, blob, null, null, null);
        }
    }
}
