package io.redpacket.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.*;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AvroContractsTest {
    static OpenEvent openEvent() {
        return OpenEvent.newBuilder()
                .setEventId("e1")
                .setToken("t")
                .setUserId("u")
                .setDeviceId("d")
                .setIp("10.0.0.1")
                .setClientVersion("8.0.1")
                .setEdgeId(3)
                .setShakeTimeMs(1)
                .setOpenTimeMs(2)
                .setEnvelopeId(99L)
                .setAmountFen(100L)
                .setBatchId(4)
                .setKeyId(2)
                .build();
    }

    @Test
    void kafkaValuesRoundTripWithSingleObjectEncoding() throws IOException {
        OpenEvent e = openEvent();
        assertThat(OpenEvent.fromByteBuffer(e.toByteBuffer())).isEqualTo(e);

        CreditInstruction c = CreditInstruction.newBuilder()
                .setCreditId("env-99")
                .setEnvelopeId(99)
                .setUserId("u")
                .setAmountFen(100)
                .setBatchId(4)
                .setSponsorId("sp")
                .setEnvelopeAccount("acct")
                .setChannel("cash")
                .setOpenEventId("e1")
                .setEdgeId(3)
                .setOpenTimeMs(2)
                .setCreditTimeMs(3)
                .build();
        assertThat(CreditInstruction.fromByteBuffer(c.toByteBuffer())).isEqualTo(c);

        RejectedOpen r = RejectedOpen.newBuilder()
                .setOpenEventId("e1")
                .setReason(RejectReason.DUPLICATE_ENVELOPE)
                .setDetail("seen")
                .setUserId("u")
                .setDeviceId("d")
                .setIp("ip")
                .setEdgeId(3)
                .setOpenTimeMs(2)
                .setRejectTimeMs(3)
                .build();
        assertThat(RejectedOpen.fromByteBuffer(r.toByteBuffer())).isEqualTo(r);

        LiveMetric m = LiveMetric.newBuilder()
                .setSource("settlement")
                .setName("credits")
                .setTags(Map.of("sponsor", "sp"))
                .setValue(5)
                .setWindowEndMs(1000)
                .build();
        assertThat(LiveMetric.fromByteBuffer(m.toByteBuffer())).isEqualTo(m);

        ControlCommand k = ControlCommand.newBuilder()
                .setCommandId("c1")
                .setIssuedAtMs(1)
                .setOperator("ops")
                .setAction(ControlAction.BLACKLIST_KEY)
                .setKeyId(7)
                .build();
        assertThat(ControlCommand.fromByteBuffer(k.toByteBuffer())).isEqualTo(k);
    }

    @Test
    void aValueOfOneSchemaIsNotReadAsAnother() {
        assertThatThrownBy(() -> CreditInstruction.fromByteBuffer(openEvent().toByteBuffer()))
                .isInstanceOf(Exception.class);
    }

    @Test
    void avroFilesAreWrittenAtomicallyAndReadBack(@TempDir Path dir) throws IOException {
        FileManifest m = FileManifest.newBuilder()
                .setCampaignId("c")
                .setVariant("v")
                .setSlotId("s1")
                .setShard(0)
                .setFileName(CampaignLayout.envelopeFile("s1", 0))
                .setRecordCount(2)
                .setAmountFen(300)
                .setKeyIds(List.of(1, 2))
                .setBatches(List.of(new BatchSummary(1, 2L, 300L)))
                .setChecksum("sha256:00")
                .build();
        Path file = dir.resolve("sub/manifests.avro");
        AvroFiles.writeAll(file, List.of(m, m), FileManifest.getClassSchema());
        assertThat(AvroFiles.readAll(file, FileManifest.class)).containsExactly(m, m);
        try (var files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file);
        }
        assertThat(m.getFileName()).isEqualTo("envelopes/slot=s1/shard-00000.env");
        Files.writeString(dir.resolve("bad.avro"), "not avro");
        assertThatThrownBy(() -> AvroFiles.readAll(dir.resolve("bad.avro"), FileManifest.class))
                .hasMessageContaining("bad.avro");
        assertThatThrownBy(() -> AvroFiles.readAll(dir.resolve("none.avro"), FileManifest.class))
                .hasMessageContaining("none.avro");
    }

    @Test
    void envelopeFilesMustHoldWholeRecords(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.env");
        Files.write(f, new byte[52]);
        assertThat(EnvelopeFiles.recordCount(f)).isEqualTo(2);
        assertThat(EnvelopeFiles.checksum(f)).startsWith("sha256:").hasSize(7 + 64);
        Files.write(f, new byte[53]);
        assertThatThrownBy(() -> EnvelopeFiles.recordCount(f))
                .hasMessageContaining("a.env")
                .hasMessageContaining("not a multiple");
    }
}
