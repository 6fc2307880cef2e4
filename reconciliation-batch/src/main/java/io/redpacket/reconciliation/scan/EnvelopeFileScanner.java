package io.redpacket.reconciliation.scan;

import io.redpacket.avro.BatchConfig;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.EnvelopeRecord;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.open.BatchCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * Reads one envelope file once and derives every per-record fact reconciliation needs: the checksum, each record
 * opened with its key (counts and amounts per batch), records that do not open, records that break their batch's
 * rules, the records the settlement logs may reference, and the ids for the global uniqueness check.
 *
 * <p>Memory per file: 8 bytes per record for the id list (sorted, then encoded at one to two bytes per id), plus
 * the referenced records. The file itself is streamed. Not thread-safe: one scanner per task.
 */
public final class EnvelopeFileScanner {
    private static final int BUFFER_RECORDS = 16_384;

    private final TicketOpener opener;
    private final BatchCatalog batches;
    private final int maxBatchId;
    private final LongPredicate maybeReferenced;
    private final int bucketBits;

    public EnvelopeFileScanner(
            TicketOpener opener, List<BatchConfig> batches, LongPredicate maybeReferenced, int bucketBits) {
        this.opener = opener;
        this.batches = BatchCatalog.of(batches);
        this.maxBatchId =
                batches.stream().mapToInt(BatchConfig::getBatchId).max().orElse(0);
        this.maybeReferenced = maybeReferenced;
        this.bucketBits = bucketBits;
    }

    public void scan(String fileName, String slotId, InputStream in, ScanSink sink) throws IOException {
        MessageDigest sha = EnvelopeFiles.sha256();
        byte[] buf = new byte[BUFFER_RECORDS * EnvelopeLayout.RECORD_BYTES];
        BatchTotals totals = new BatchTotals();
        BitSet keys = new BitSet();
        long[] ids = new long[1024];
        int idCount = 0;
        long index = 0;
        long bytes = 0;
        int n;
        while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
            sha.update(buf, 0, n);
            bytes += n;
            int whole = n / EnvelopeLayout.RECORD_BYTES;
            for (int r = 0; r < whole; r++, index++) {
                int off = r * EnvelopeLayout.RECORD_BYTES;
                OpenedTicket t = opener.open(buf, off);
                if (!t.isValid()) {
                    sink.failure(
                            fileName,
                            index,
                            t.reason().name(),
                            EnvelopeRecord.keyId(buf, off),
                            EnvelopeRecord.batchId(buf, off));
                    continue;
                }
                long id = t.envelopeId();
                totals.add(t.batchId(), t.amountFen());
                keys.set(t.keyId());
                if (idCount == ids.length) {
                    ids = Arrays.copyOf(ids, ids.length * 2);
                }
                ids[idCount++] = id;
                String problem = batchProblem(t, slotId);
                if (problem != null) {
                    sink.violation(fileName, index, problem, id, t.amountFen(), t.batchId(), t.keyId());
                }
                if (maybeReferenced.test(id)) {
                    sink.referenced(fileName, id, t.amountFen(), t.batchId(), t.keyId());
                }
            }
            if (n % EnvelopeLayout.RECORD_BYTES != 0) {
                // readNBytes fills the buffer unless the stream ended, so a remainder is the file's tail.
                sink.failure(fileName, index, Problems.PARTIAL_RECORD, 0, 0);
            }
        }
        totals.emit(fileName, sink);
        emitIds(fileName, ids, idCount, sink);
        sink.file(
                fileName,
                slotId,
                bytes / EnvelopeLayout.RECORD_BYTES,
                bytes,
                EnvelopeFiles.format(sha.digest()),
                keys.stream().toArray());
    }

    /** The same batch rules as {@link io.redpacket.open.OpenVerifier}, reported by name instead of stopping at the first. */
    private String batchProblem(OpenedTicket t, String slotId) {
        BatchConfig b = batches.get(t.batchId());
        if (b == null) {
            return Problems.UNKNOWN_BATCH;
        }
        if (t.amountFen() < b.getMinFen() || t.amountFen() > b.getMaxFen()) {
            return Problems.AMOUNT_OUT_OF_BOUNDS;
        }
        if (!BatchCatalog.envelopeInBatch(b, t.envelopeId())) {
            return Problems.ENVELOPE_ID_OUT_OF_BATCH_RANGE;
        }
        if (slotId != null && !slotId.equals(b.getSlotId())) {
            return Problems.SLOT_MISMATCH;
        }
        return null;
    }

    private void emitIds(String fileName, long[] ids, int count, ScanSink sink) {
        Arrays.sort(ids, 0, count);
        int from = 0;
        while (from < count) {
            long bucket = ids[from] >>> bucketBits;
            int to = from + 1;
            while (to < count && (ids[to] >>> bucketBits) == bucket) {
                to++;
            }
            sink.ids(fileName, bucket, IdRuns.encode(ids, from, to, bucket << bucketBits));
            from = to;
        }
    }

    /** Count and amount per batch id; batch ids are dense and small, so arrays with a map for stray ids. */
    private final class BatchTotals {
        private final long[] counts;
        private final long[] amounts;
        private final Map<Integer, long[]> stray = new HashMap<>();

        BatchTotals() {
            int size = maxBatchId + 1;
            counts = new long[size];
            amounts = new long[size];
        }

        void add(int batchId, long amountFen) {
            if (batchId < counts.length) {
                counts[batchId]++;
                amounts[batchId] += amountFen;
            } else {
                long[] t = stray.computeIfAbsent(batchId, k -> new long[2]);
                t[0]++;
                t[1] += amountFen;
            }
        }

        void emit(String fileName, ScanSink sink) {
            for (int id = 0; id < counts.length; id++) {
                if (counts[id] > 0) {
                    sink.batch(fileName, id, counts[id], amounts[id]);
                }
            }
            stray.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(e -> sink.batch(fileName, e.getKey(), e.getValue()[0], e.getValue()[1]));
        }
    }
}
