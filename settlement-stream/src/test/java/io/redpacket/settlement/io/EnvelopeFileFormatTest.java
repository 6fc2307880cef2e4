package io.redpacket.settlement.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.io.Locations;
import io.redpacket.settlement.Campaign;
import io.redpacket.settlement.Fixtures;
import io.redpacket.settlement.records.PregeneratedEnvelope;
import io.redpacket.testkit.GeneratedCampaign;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class EnvelopeFileFormatTest {
    @TempDir
    Path tmp;

    private record Read(List<PregeneratedEnvelope> records, List<Long> positions) {}

    private static FileSourceSplit split(EnvelopeFileFormat.Expected f) throws IOException {
        Path p = Path.of(URI.create(f.uri()));
        return new FileSourceSplit(
                "0", new org.apache.flink.core.fs.Path(URI.create(f.uri())), 0, Files.size(p), 0, Files.size(p));
    }

    private static Read readAll(BulkFormat.Reader<PregeneratedEnvelope> reader) throws IOException {
        List<PregeneratedEnvelope> out = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        try (reader) {
            BulkFormat.RecordIterator<PregeneratedEnvelope> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<PregeneratedEnvelope> r;
                while ((r = batch.next()) != null) {
                    out.add(r.getRecord());
                    positions.add(r.getRecordSkipCount());
                }
                batch.releaseBatch();
            }
        }
        return new Read(out, positions);
    }

    private EnvelopeFileFormat format(GeneratedCampaign c, List<EnvelopeFileFormat.Expected> files) throws IOException {
        return new EnvelopeFileFormat(
                files,
                Locations.canonical(c.dir.toUri()).toString(),
                Fixtures.passwordFile(tmp).toUri().toString());
    }

    @Test
    void everyRecordIsReadOnceWithItsEnvelopeIdAndAPositionARestoreResumesFrom() throws Exception {
        GeneratedCampaign c = Fixtures.campaign(tmp.resolve("v1"));
        List<EnvelopeFileFormat.Expected> files =
                Campaign.open(Locations.parse(c.dir.toString())).envelopeFiles();
        assertThat(files).hasSize(c.manifests().size()).hasSize(4);
        EnvelopeFileFormat format = format(c, files);

        List<Long> ids = new ArrayList<>();
        for (EnvelopeFileFormat.Expected f : files) {
            Read read = readAll(format.createReader(new Configuration(), split(f)));
            assertThat(read.records()).hasSize((int) f.records());
            assertThat(read.positions()).first().isEqualTo(1L);
            assertThat(read.positions()).last().isEqualTo(f.records());
            for (PregeneratedEnvelope e : read.records()) {
                assertThat(e.record).isEqualTo(Fixtures.record(c, e.envelopeId));
                ids.add(e.envelopeId);
            }
        }
        assertThat(ids).doesNotHaveDuplicates().hasSize((int) c.envelopeCount());

        // restored after 100 records were emitted: the rest, once, and the file still checks out
        EnvelopeFileFormat.Expected first = files.get(0);
        List<PregeneratedEnvelope> whole =
                readAll(format.createReader(new Configuration(), split(first))).records();
        FileSourceSplit restored = split(first)
                .updateWithCheckpointedPosition(new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, 100));
        Read rest = readAll(format.restoreReader(new Configuration(), restored));
        assertThat(rest.records())
                .extracting(e -> e.envelopeId)
                .containsExactlyElementsOf(whole.subList(100, whole.size()).stream()
                        .map(e -> e.envelopeId)
                        .toList());
        assertThat(rest.positions()).first().isEqualTo(101L);
    }

    @Test
    void aRecordThatDoesNotOpenOrAFileThatDiffersFromItsManifestFailsNamingIt() throws Exception {
        GeneratedCampaign c = Fixtures.campaign(tmp.resolve("v1"));
        List<EnvelopeFileFormat.Expected> files =
                Campaign.open(Locations.parse(c.dir.toString())).envelopeFiles();
        EnvelopeFileFormat.Expected f = files.get(1);
        Path file = Path.of(URI.create(f.uri()));
        byte[] original = Files.readAllBytes(file);

        byte[] damaged = original.clone();
        damaged[26 * 7 + 20] ^= 0x40; // inside the sealed ticket of record 7
        Files.write(file, damaged);
        assertThatThrownBy(() -> readAll(format(c, files).createReader(new Configuration(), split(f))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("record 7: cannot be opened");

        byte[] swapped = original.clone(); // every record valid, but not the file generation wrote
        System.arraycopy(original, 0, swapped, 26, 26);
        System.arraycopy(original, 26, swapped, 0, 26);
        Files.write(file, swapped);
        assertThatThrownBy(() -> readAll(format(c, files).createReader(new Configuration(), split(f))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("differs from its manifest");

        Files.write(file, java.util.Arrays.copyOf(original, original.length - 26));
        assertThatThrownBy(() -> readAll(format(c, files).createReader(new Configuration(), split(f))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("its manifest says " + f.records());
    }
}
