package io.redpacket.settlement.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.RejectReason;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.io.CampaignLayout;
import io.redpacket.settlement.Fixtures;
import io.redpacket.settlement.sample.SampleCampaign;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordIndexTest {
    @TempDir
    Path tmp;

    @Test
    void everyWrittenRecordMatchesAndNothingElseDoes() throws IOException {
        SampleCampaign c = Fixtures.campaign(tmp.resolve("v1"));
        RecordIndex index = RecordIndex.openOrBuild(c.dir, tmp.resolve("idx"), c.ring);
        long total = c.amounts.length;
        assertThat(index.records()).isEqualTo(total - 1);
        for (long id = 0; id < total; id++) {
            RejectReason r = index.check(id, c.records, c.recordOffset(id));
            assertThat(r).as("envelope %d", id).isEqualTo(id == Fixtures.WITHHELD ? RejectReason.NOT_PREGENERATED : null);
        }
        long id = Fixtures.envelope(0, 3);
        byte[] forged = Fixtures.resealed(c, id, c.amounts[(int) id] + 1);
        assertThat(index.check(id, forged, 0)).isEqualTo(RejectReason.RECORD_MISMATCH);
        // another envelope's genuine record presented under this id
        assertThat(index.check(id, c.records, c.recordOffset(id + 1))).isEqualTo(RejectReason.RECORD_MISMATCH);
        assertThat(index.check(total + 10, c.records, 0)).isEqualTo(RejectReason.NOT_PREGENERATED);
        assertThat(index.check(-1, c.records, 0)).isEqualTo(RejectReason.NOT_PREGENERATED);
    }

    @Test
    void theIndexIsBuiltOnceAndReused() throws IOException {
        SampleCampaign c = Fixtures.campaign(tmp.resolve("v1"));
        RecordIndex first = RecordIndex.openOrBuild(c.dir, tmp.resolve("idx"), c.ring);
        long built = Files.getLastModifiedTime(first.file()).toMillis();
        RecordIndex second = RecordIndex.openOrBuild(c.dir, tmp.resolve("idx"), c.ring);
        assertThat(second.file()).isEqualTo(first.file());
        assertThat(Files.getLastModifiedTime(second.file()).toMillis()).isEqualTo(built);
        assertThat(Files.size(first.file())).isEqualTo(c.amounts.length * 8L);
    }

    @Test
    void aDamagedEnvelopeFileIsNamedWithItsRecord() throws IOException {
        SampleCampaign c = Fixtures.campaign(tmp.resolve("v1"));
        Path file = c.dir.resolve(CampaignLayout.envelopeFile("s1", 1));
        byte[] bytes = Files.readAllBytes(file);
        bytes[2 * EnvelopeLayout.RECORD_BYTES + 12] ^= 0x55;  // a flipped ticket byte: the record checksum no longer holds
        Files.write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING);
        assertThatThrownBy(() -> RecordIndex.openOrBuild(c.dir, tmp.resolve("idx"), c.ring))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("shard-00001.env: record 2: cannot be opened (RECORD_CHECKSUM)");
    }
}
