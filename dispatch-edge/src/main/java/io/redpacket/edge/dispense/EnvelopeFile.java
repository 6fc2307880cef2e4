package io.redpacket.edge.dispense;

import static io.redpacket.envelope.EnvelopeLayout.RECORD_BYTES;

import io.redpacket.avro.FileManifest;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.EnvelopeRecord;
import io.redpacket.io.EnvelopeFiles;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * One envelope file (26-byte records back to back), memory-mapped read-only: records are copied out one at a
 * time, never loaded as objects, so a file of any size costs page cache, not heap. Files above 2 GiB are mapped
 * in chunks of 2^25 records (832 MiB). Thread-safe: only absolute reads.
 */
public final class EnvelopeFile {
    private static final int CHUNK_SHIFT = 25;
    private static final long CHUNK_RECORDS = 1L << CHUNK_SHIFT;

    private final Path path;
    private final long recordCount;
    private final MappedByteBuffer[] chunks;

    private EnvelopeFile(Path path, long recordCount, MappedByteBuffer[] chunks) {
        this.path = path;
        this.recordCount = recordCount;
        this.chunks = chunks;
    }

    /**
     * Maps a file after checking it against its manifest: record count always, the sha256 checksum when
     * {@code verifyChecksum} (reads the whole file once; done when a slot's files are prepared, not per shake).
     */
    public static EnvelopeFile open(Path file, FileManifest manifest, boolean verifyChecksum) throws IOException {
        long count = EnvelopeFiles.recordCount(file);
        if (count != manifest.getRecordCount()) {
            throw new IOException(
                    file + ": " + count + " records, manifest says recordCount " + manifest.getRecordCount());
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int n = (int) ((count + CHUNK_RECORDS - 1) >>> CHUNK_SHIFT);
            MappedByteBuffer[] chunks = new MappedByteBuffer[Math.max(n, 1)];
            for (int i = 0; i < n; i++) {
                long from = (long) i * CHUNK_RECORDS * RECORD_BYTES;
                long size = Math.min(CHUNK_RECORDS, count - (long) i * CHUNK_RECORDS) * RECORD_BYTES;
                chunks[i] = ch.map(FileChannel.MapMode.READ_ONLY, from, size);
            }
            if (n == 0) {
                chunks[0] = ch.map(FileChannel.MapMode.READ_ONLY, 0, 0);
            }
            EnvelopeFile f = new EnvelopeFile(file, count, chunks);
            if (verifyChecksum) {
                String actual = f.checksum();
                if (!actual.equals(manifest.getChecksum())) {
                    throw new IOException(file + ": checksum " + actual + ", manifest says " + manifest.getChecksum());
                }
            }
            return f;
        }
    }

    private String checksum() {
        MessageDigest md = EnvelopeFiles.sha256();
        for (MappedByteBuffer chunk : chunks) {
            md.update(chunk.duplicate());
        }
        return EnvelopeFiles.format(md.digest());
    }

    /** Copies record {@code index} into {@code out[off .. off+26)}. */
    public void read(long index, byte[] out, int off) {
        MappedByteBuffer chunk = chunks[(int) (index >>> CHUNK_SHIFT)];
        chunk.get((int) (index & (CHUNK_RECORDS - 1)) * RECORD_BYTES, out, off, RECORD_BYTES);
    }

    /** Header checks that need no key: format version and CRC32C. A failing record is skipped, never dispensed. */
    public static boolean intact(byte[] rec, int off) {
        return EnvelopeRecord.version(rec, off) == EnvelopeLayout.FORMAT_VERSION && EnvelopeRecord.checksumOk(rec, off);
    }

    public long recordCount() {
        return recordCount;
    }

    public Path path() {
        return path;
    }
}
