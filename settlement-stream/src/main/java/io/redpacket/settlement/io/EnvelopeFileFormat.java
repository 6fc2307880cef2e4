package io.redpacket.settlement.io;

import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.envelope.OpenedTicket;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.settlement.Campaign;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.records.PregeneratedEnvelope;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;

/**
 * Reads a variant's envelope files (26-byte records back to back) through Flink's file systems, for the
 * bounded source that loads the records into the claim step. Each record is opened with the variant's key
 * ring to learn its envelope id (the key it is stored under); every file is checked, as it is read, against
 * its manifest: whole records, the promised count and the {@code sha256:} checksum. A record that does not open
 * or a file that does not match fails the job, naming the file and the record.
 *
 * <p>A file is one split (not splittable: the checksum covers the whole file). Its position is the number of
 * records emitted, so a restore mid-file re-reads and re-hashes the records already emitted without emitting them
 * again.
 */
public final class EnvelopeFileFormat implements BulkFormat<PregeneratedEnvelope, FileSourceSplit> {
    /** An envelope file and what its manifest promises. */
    public record Expected(String uri, long records, String checksum) implements Serializable {}

    private static final int RECORDS_PER_BATCH = 4096;

    /** By path, so that the scheme and authority the source's enumerator reports do not matter. */
    private final Map<String, Expected> expected = new HashMap<>();

    private final String variantDir;
    private final String passwordFile;
    private transient KeyRing ring;

    public EnvelopeFileFormat(List<Expected> files, String variantDir, String passwordFile) {
        files.forEach(f -> expected.put(URI.create(f.uri()).getPath(), f));
        this.variantDir = variantDir;
        this.passwordFile = passwordFile;
    }

    /** A bounded source over every envelope file of the campaign. */
    public static FileSource<PregeneratedEnvelope> source(List<Expected> files, Settings settings) {
        Path[] paths = files.stream().map(f -> new Path(URI.create(f.uri()))).toArray(Path[]::new);
        return FileSource.forBulkFileFormat(
                        new EnvelopeFileFormat(files, settings.variantDir(), settings.passwordFile()), paths)
                .build();
    }

    @Override
    public BulkFormat.Reader<PregeneratedEnvelope> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new Reader(split, 0);
    }

    @Override
    public BulkFormat.Reader<PregeneratedEnvelope> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        long emitted = split.getReaderPosition()
                .map(CheckpointedPosition::getRecordsAfterOffset)
                .orElse(0L);
        return new Reader(split, emitted);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<PregeneratedEnvelope> getProducedType() {
        return TypeInformation.of(PregeneratedEnvelope.class);
    }

    private synchronized KeyRing ring() throws IOException {
        if (ring == null) {
            ring = Campaign.openRing(
                    URI.create(variantDir), passwordFile == null ? null : URI.create(passwordFile), System.getenv());
        }
        return ring;
    }

    private final class Reader implements BulkFormat.Reader<PregeneratedEnvelope> {
        private final String name;
        private final Expected promised;
        private final FSDataInputStream in;
        private final MessageDigest sha = EnvelopeFiles.sha256();
        private final TicketOpener opener;
        private final byte[] buf = new byte[RECORDS_PER_BATCH * EnvelopeLayout.RECORD_BYTES];
        /** Records read from the start of the file (emitted now or before a restore). */
        private long read;

        private boolean checked;

        Reader(FileSourceSplit split, long alreadyEmitted) throws IOException {
            URI uri = split.path().toUri();
            name = Locations.display(Locations.canonical(uri));
            promised = expected.get(uri.getPath());
            if (promised == null) {
                throw new IOException(name + ": not an envelope file of the campaign's manifests");
            }
            opener = new TicketOpener(ring(), KeyBlacklist.of());
            in = split.path().getFileSystem().open(split.path());
            while (read < alreadyEmitted) {
                int n = fill((int) Math.min(RECORDS_PER_BATCH, alreadyEmitted - read));
                if (n == 0) {
                    throw new IOException(name + ": ends after " + read + " records, but " + alreadyEmitted
                            + " were loaded before the restore");
                }
                read += n;
            }
        }

        /** Reads up to {@code max} whole records into the buffer and hashes them; 0 at the end of the file. */
        private int fill(int max) throws IOException {
            int want = max * EnvelopeLayout.RECORD_BYTES;
            int got = 0;
            int n;
            while (got < want && (n = in.read(buf, got, want - got)) > 0) {
                got += n;
            }
            if (got % EnvelopeLayout.RECORD_BYTES != 0) {
                throw new IOException(name + ": size is not a multiple of the " + EnvelopeLayout.RECORD_BYTES
                        + "-byte record (record " + (read + got / EnvelopeLayout.RECORD_BYTES) + " is cut short)");
            }
            sha.update(buf, 0, got);
            return got / EnvelopeLayout.RECORD_BYTES;
        }

        @Override
        public RecordIterator<PregeneratedEnvelope> readBatch() throws IOException {
            int n = fill(RECORDS_PER_BATCH);
            if (n == 0) {
                checkAgainstManifest();
                return null;
            }
            PregeneratedEnvelope[] batch = new PregeneratedEnvelope[n];
            for (int i = 0; i < n; i++) {
                int off = i * EnvelopeLayout.RECORD_BYTES;
                OpenedTicket t = opener.open(buf, off);
                if (!t.isValid()) {
                    throw new IOException(name + ": record " + (read + i)
                            + ": cannot be opened with the campaign's keys (" + t.reason() + ")");
                }
                byte[] record = new byte[EnvelopeLayout.RECORD_BYTES];
                System.arraycopy(buf, off, record, 0, record.length);
                batch[i] = new PregeneratedEnvelope(t.envelopeId(), record);
            }
            ArrayResultIterator<PregeneratedEnvelope> it = new ArrayResultIterator<>();
            it.set(batch, n, CheckpointedPosition.NO_OFFSET, read);
            read += n;
            return it;
        }

        private void checkAgainstManifest() throws IOException {
            if (checked) {
                return;
            }
            checked = true;
            if (read != promised.records()) {
                throw new IOException(name + ": " + read + " records, its manifest says " + promised.records());
            }
            String sum = EnvelopeFiles.format(sha.digest());
            if (!sum.equals(promised.checksum())) {
                throw new IOException(
                        name + ": checksum " + sum + " differs from its manifest's " + promised.checksum());
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
