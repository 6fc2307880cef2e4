package io.redpacket.settlement.index;

import io.redpacket.avro.BatchConfig;
import io.redpacket.avro.FileManifest;
import io.redpacket.avro.RejectReason;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.io.AtomicFiles;
import io.redpacket.io.AvroFiles;
import io.redpacket.io.CampaignLayout;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Answers "is this exact 26-byte record one that generation wrote, for this envelope id?" in O(1) for every
 * open, with no database and no RPC.
 *
 * <p>Generation shuffles envelopes across files, so an envelope id does not tell where its record is. The
 * index is a dense array over the campaign's id range [minId, maxId] (batches hand out contiguous ranges),
 * one 8-byte slot per id holding 1 + the record's position in the concatenation of the variant's envelope
 * files (in manifest file-name order); 0 means no record has that id. Both the index and the envelope files
 * are memory-mapped read-only, so parallel instances in one TaskManager share the OS page cache and the JVM
 * heap holds only the mapping objects.
 *
 * <p>Cost at 1e9 envelopes: index 8 GB on disk (mapped, resident as far as RAM allows), envelope files 26 GB
 * (also mapped). A lookup touches one index page and one file page. Building reads the files once and
 * decrypts every ticket (AES-NI, parallel over files); it runs once per variant and TaskManager host and is
 * reused on restart: the file name carries a fingerprint of manifests.avro and batches.avro.
 */
public final class RecordIndex {
    /** Index slots per mapping: 2^27 longs = 1 GiB, under the 2 GiB limit of one MappedByteBuffer. */
    private static final int SLOTS_PER_SEGMENT_BITS = 27;
    private static final long SLOTS_PER_SEGMENT = 1L << SLOTS_PER_SEGMENT_BITS;
    /** Records per envelope-file mapping: whole records, under 2 GiB. */
    private static final long RECORDS_PER_CHUNK = (Integer.MAX_VALUE / EnvelopeLayout.RECORD_BYTES);
    private static final ConcurrentHashMap<Path, Object> BUILD_LOCKS = new ConcurrentHashMap<>();

    private final long minId;
    private final long slots;
    private final ByteBuffer[] index;
    private final long[] fileStarts;
    private final ByteBuffer[][] files;
    private final Path indexFile;

    private RecordIndex(long minId, long slots, ByteBuffer[] index, long[] fileStarts, ByteBuffer[][] files, Path indexFile) {
        this.minId = minId;
        this.slots = slots;
        this.index = index;
        this.fileStarts = fileStarts;
        this.files = files;
        this.indexFile = indexFile;
    }

    /**
     * Maps the index of a variant, building it first if {@code indexDir} has none for this exact variant.
     * Safe to call from several operator instances of one JVM: one builds, the others wait and map it.
     */
    public static RecordIndex openOrBuild(Path variantDir, Path indexDir, KeyRing ring) throws IOException {
        List<FileManifest> manifests = new ArrayList<>(AvroFiles.readAll(variantDir.resolve(CampaignLayout.MANIFESTS), FileManifest.class));
        manifests.sort(Comparator.comparing(FileManifest::getFileName));
        List<BatchConfig> batches = AvroFiles.readAll(variantDir.resolve(CampaignLayout.BATCHES), BatchConfig.class);
        if (batches.isEmpty()) {
            throw new IOException(variantDir.resolve(CampaignLayout.BATCHES) + ": no batches");
        }
        long minId = batches.stream().mapToLong(BatchConfig::getFirstEnvelopeId).min().orElseThrow();
        long maxId = batches.stream().mapToLong(b -> b.getFirstEnvelopeId() + b.getCount() - 1).max().orElseThrow();
        long slots = maxId - minId + 1;

        Path[] paths = new Path[manifests.size()];
        long[] starts = new long[manifests.size() + 1];
        for (int f = 0; f < paths.length; f++) {
            paths[f] = variantDir.resolve(manifests.get(f).getFileName());
            long count = EnvelopeFiles.recordCount(paths[f]);
            if (count != manifests.get(f).getRecordCount()) {
                throw new IOException(paths[f] + ": " + count + " records, manifest says " + manifests.get(f).getRecordCount());
            }
            starts[f + 1] = starts[f] + count;
        }

        Path indexFile = indexDir.toAbsolutePath().resolve("record-index-" + fingerprint(variantDir) + ".idx");
        synchronized (BUILD_LOCKS.computeIfAbsent(indexFile, p -> new Object())) {
            if (!Files.isRegularFile(indexFile) || Files.size(indexFile) != slots * Long.BYTES) {
                build(indexFile, paths, starts, minId, slots, ring);
            }
        }
        ByteBuffer[] index = mapIndex(indexFile, slots, FileChannel.MapMode.READ_ONLY);
        ByteBuffer[][] files = new ByteBuffer[paths.length][];
        for (int f = 0; f < paths.length; f++) {
            files[f] = mapRecords(paths[f], starts[f + 1] - starts[f]);
        }
        return new RecordIndex(minId, slots, index, starts, files, indexFile);
    }

    /**
     * Compares the record a token carried with the one generation wrote for that envelope id.
     *
     * @return null when identical; NOT_PREGENERATED when generation wrote no record with this id;
     *         RECORD_MISMATCH when it wrote a different one
     */
    public RejectReason check(long envelopeId, byte[] record, int off) {
        long slot = envelopeId - minId;
        if (slot < 0 || slot >= slots) {
            return RejectReason.NOT_PREGENERATED;
        }
        long entry = index[(int) (slot >>> SLOTS_PER_SEGMENT_BITS)].getLong((int) (slot & (SLOTS_PER_SEGMENT - 1)) * Long.BYTES);
        if (entry == 0) {
            return RejectReason.NOT_PREGENERATED;
        }
        long pos = entry - 1;
        int f = fileOf(pos);
        long inFile = pos - fileStarts[f];
        ByteBuffer chunk = files[f][(int) (inFile / RECORDS_PER_CHUNK)];
        int base = (int) (inFile % RECORDS_PER_CHUNK) * EnvelopeLayout.RECORD_BYTES;
        for (int i = 0; i < EnvelopeLayout.RECORD_BYTES; i++) {
            if (chunk.get(base + i) != record[off + i]) {
                return RejectReason.RECORD_MISMATCH;
            }
        }
        return null;
    }

    public long records() {
        return fileStarts[fileStarts.length - 1];
    }

    public Path file() {
        return indexFile;
    }

    private int fileOf(long pos) {
        int lo = 0;
        int hi = fileStarts.length - 2;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (fileStarts[mid] <= pos) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static void build(Path indexFile, Path[] paths, long[] starts, long minId, long slots, KeyRing ring) throws IOException {
        Files.createDirectories(indexFile.getParent());
        AtomicFiles.write(indexFile, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ch.truncate(0);
                if (slots > 0) {
                    ch.write(ByteBuffer.wrap(new byte[1]), slots * Long.BYTES - 1);
                }
            }
            ByteBuffer[] index = mapIndex(tmp, slots, FileChannel.MapMode.READ_WRITE);
            try {
                IntStream.range(0, paths.length).parallel().forEach(f -> indexFile(paths[f], starts[f], minId, slots, index, ring));
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            for (ByteBuffer b : index) {
                ((MappedByteBuffer) b).force();
            }
        });
    }

    private static void indexFile(Path file, long firstPos, long minId, long slots, ByteBuffer[] index, KeyRing ring) {
        TicketOpener opener = new TicketOpener(ring, new KeyBlacklist());
        int recordsPerRead = 1 << 16;
        byte[] buf = new byte[recordsPerRead * EnvelopeLayout.RECORD_BYTES];
        long pos = firstPos;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(buf);
            while (true) {
                bb.clear();
                int n = 0;
                while (bb.hasRemaining() && (n = ch.read(bb)) > 0) {
                    // fill the buffer with whole records
                }
                int bytes = bb.position();
                if (bytes == 0) {
                    break;
                }
                for (int off = 0; off + EnvelopeLayout.RECORD_BYTES <= bytes; off += EnvelopeLayout.RECORD_BYTES, pos++) {
                    OpenedTicket t = opener.open(buf, off);
                    long recordNo = pos - firstPos;
                    if (!t.isValid()) {
                        throw new IOException(file + ": record " + recordNo + ": cannot be opened (" + t.reason() + ")");
                    }
                    long slot = t.envelopeId() - minId;
                    if (slot < 0 || slot >= slots) {
                        throw new IOException(file + ": record " + recordNo + ": envelope id " + t.envelopeId() + " is outside every batch");
                    }
                    ByteBuffer seg = index[(int) (slot >>> SLOTS_PER_SEGMENT_BITS)];
                    int at = (int) (slot & (SLOTS_PER_SEGMENT - 1)) * Long.BYTES;
                    if (seg.getLong(at) != 0) {
                        throw new IOException(file + ": record " + recordNo + ": envelope id " + t.envelopeId() + " appears twice");
                    }
                    seg.putLong(at, pos + 1);
                }
                if (n < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ByteBuffer[] mapIndex(Path file, long slots, FileChannel.MapMode mode) throws IOException {
        int segments = (int) Math.max(1, (slots + SLOTS_PER_SEGMENT - 1) / SLOTS_PER_SEGMENT);
        ByteBuffer[] out = new ByteBuffer[segments];
        StandardOpenOption[] opts = mode == FileChannel.MapMode.READ_ONLY
                ? new StandardOpenOption[] {StandardOpenOption.READ}
                : new StandardOpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE};
        try (FileChannel ch = FileChannel.open(file, opts)) {
            for (int s = 0; s < segments; s++) {
                long from = s * SLOTS_PER_SEGMENT;
                long len = Math.min(SLOTS_PER_SEGMENT, slots - from);
                out[s] = ch.map(mode, from * Long.BYTES, len * Long.BYTES).order(ByteOrder.BIG_ENDIAN);
            }
        }
        return out;
    }

    private static ByteBuffer[] mapRecords(Path file, long records) throws IOException {
        int chunks = (int) Math.max(1, (records + RECORDS_PER_CHUNK - 1) / RECORDS_PER_CHUNK);
        ByteBuffer[] out = new ByteBuffer[chunks];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int c = 0; c < chunks; c++) {
                long from = c * RECORDS_PER_CHUNK;
                long len = Math.min(RECORDS_PER_CHUNK, records - from);
                out[c] = ch.map(FileChannel.MapMode.READ_ONLY, from * EnvelopeLayout.RECORD_BYTES, len * EnvelopeLayout.RECORD_BYTES);
            }
        }
        return out;
    }

    /** Identifies the variant's content: manifests carry every file's checksum, batches the id ranges. */
    private static String fingerprint(Path variantDir) throws IOException {
        MessageDigest md = EnvelopeFiles.sha256();
        md.update(Files.readAllBytes(variantDir.resolve(CampaignLayout.MANIFESTS)));
        md.update(Files.readAllBytes(variantDir.resolve(CampaignLayout.BATCHES)));
        return HexFormat.of().formatHex(md.digest(), 0, 12);
    }
}
