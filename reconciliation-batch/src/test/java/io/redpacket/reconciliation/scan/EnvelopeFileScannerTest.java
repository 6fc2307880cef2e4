package io.redpacket.reconciliation.scan;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.EnvelopeType;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-file rules, without Spark: every record opened, every problem named with its record index. */
class EnvelopeFileScannerTest {
    static final int R = EnvelopeLayout.RECORD_BYTES;

    static BatchConfig batch(int id, String slot, long first, long count, long min, long max) {
        return new BatchConfig(
                id, "c", "A", slot, "sp", "Sp", "po", "acct", EnvelopeType.PICTURE, "cash", count, 0L, min, max, first);
    }

    /** Collects everything the scanner reports as text lines. */
    static final class Lines implements ScanSink {
        final List<String> lines = new ArrayList<>();
        final List<Long> referenced = new ArrayList<>();
        final List<Long> ids = new ArrayList<>();
        String checksum;

        @Override
        public void file(String f, String slot, long n, long bytes, String sum, int[] keys) {
            checksum = sum;
            lines.add("file " + n + " " + bytes + " " + java.util.Arrays.toString(keys));
        }

        @Override
        public void batch(String f, int b, long n, long fen) {
            lines.add("batch " + b + " " + n + " " + fen);
        }

        @Override
        public void failure(String f, long i, String reason, int key, int b) {
            lines.add("failure " + i + " " + reason);
        }

        @Override
        public void violation(String f, long i, String reason, long id, long fen, int b, int key) {
            lines.add("violation " + i + " " + reason + " " + id);
        }

        @Override
        public void referenced(String f, long id, long fen, int b, int key) {
            referenced.add(id);
        }

        @Override
        public void ids(String f, long bucket, byte[] blob) {
            IdRuns.decode(blob, bucket << 4, ids::add);
        }
    }

    @Test
    void reportsTotalsFailuresViolationsAndReferencedRecords(@TempDir Path tmp) throws Exception {
        KeyRing ring = KeyRing.generate(2, new SecureRandom());
        KeyRing openRing = ring.restrictTo(id -> id == 1);
        List<BatchConfig> batches = List.of(batch(1, "s1", 100, 10, 10, 50), batch(2, "s2", 200, 10, 10, 50));
        TicketSealer sealer = new TicketSealer(ring);
        byte[] file = new byte[8 * R + 5];
        sealer.seal(100, 20, 1, 1, file, 0); // fine
        sealer.seal(101, 30, 1, 1, file, R); // fine, and the logs mention it
        sealer.seal(102, 60, 1, 1, file, 2 * R); // amount above max
        sealer.seal(150, 20, 1, 1, file, 3 * R); // id outside batch 1's range
        sealer.seal(201, 20, 2, 1, file, 4 * R); // batch of slot s2 in a file of slot s1
        sealer.seal(103, 20, 1, 2, file, 5 * R); // key 2 is not in the open ring
        sealer.seal(104, 20, 9, 1, file, 6 * R); // batch 9 is unknown
        sealer.seal(100, 25, 1, 1, file, 7 * R); // id 100 again
        file[5 * R + 12] ^= 1; // and then record 5 is damaged too: the CRC catches it first
        Path p = tmp.resolve("f.env");
        Files.write(p, file);

        Lines out = new Lines();
        new EnvelopeFileScanner(new TicketOpener(openRing, KeyBlacklist.of()), batches, id -> id == 101, 4)
                .scan("f.env", "s1", new ByteArrayInputStream(file), out);

        assertThat(out.lines)
                .containsExactly(
                        "violation 2 AMOUNT_OUT_OF_BOUNDS 102",
                        "violation 3 ENVELOPE_ID_OUT_OF_BATCH_RANGE 150",
                        "violation 4 SLOT_MISMATCH 201",
                        "failure 5 RECORD_CHECKSUM",
                        "violation 6 UNKNOWN_BATCH 104",
                        "failure 8 PARTIAL_RECORD",
                        "batch 1 5 155",
                        "batch 2 1 20",
                        "batch 9 1 20",
                        "file 8 213 [1]");
        assertThat(out.referenced).containsExactly(101L);
        assertThat(out.ids).containsExactly(100L, 100L, 101L, 102L, 104L, 150L, 201L);
        assertThat(out.checksum).isEqualTo(EnvelopeFiles.checksum(p));
    }
}
