package io.redpacket.settlement.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.LiveFlag;
import io.redpacket.avro.LiveMetric;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.io.AvroTrust;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.local.LocalDataOutputStream;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log writer must produce what parquet-avro would: same Parquet schema, same Avro schema in the footer, same records back. */
class SpecificRecordWriteSupportTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void trustOurRecords() {
        // reading back as the generated classes, as any Avro consumer of the logs must
        AvroTrust.install();
    }

    private <T extends SpecificRecordBase> Path write(Class<T> type, List<T> records) throws Exception {
        Path file = dir.resolve(type.getSimpleName() + ".parquet");
        BulkWriter<T> w = new ParquetWriterFactory<>(new ParquetLogs.LogWriterBuilder<>(type))
                .create((FSDataOutputStream) new LocalDataOutputStream(file.toFile()));
        for (T r : records) {
            w.addElement(r);
        }
        w.finish();
        return file;
    }

    @Test
    void openEventsWithAndWithoutTheirOptionalFieldsComeBackEqual() throws Exception {
        List<OpenEvent> opens = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            OpenEvent.Builder b = OpenEvent.newBuilder()
                    .setEventId("e" + i)
                    .setToken("t".repeat(71))
                    .setUserId("用户" + i)
                    .setDeviceId("d" + i % 7)
                    .setIp("10.0.0." + i % 250)
                    .setClientVersion("8.0")
                    .setEdgeId(i % 3)
                    .setShakeTimeMs(1_000L + i)
                    .setOpenTimeMs(2_000L + i);
            if (i % 3 != 0) { // an undecodable or pre-verification open has no envelope fields
                b.setEnvelopeId((long) i)
                        .setAmountFen(100L + i)
                        .setBatchId(i % 5)
                        .setKeyId(i % 9);
            }
            opens.add(b.build());
        }
        Path file = write(OpenEvent.class, opens);
        assertThat(ParquetLogsTestAccess.readOpens(file)).isEqualTo(opens);
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
            assertThat(r.getFooter().getFileMetaData().getSchema())
                    .isEqualTo(new org.apache.parquet.avro.AvroSchemaConverter().convert(OpenEvent.getClassSchema()));
            assertThat(r.getFooter().getFileMetaData().getKeyValueMetaData().get("parquet.avro.schema"))
                    .isEqualTo(OpenEvent.getClassSchema().toString());
            assertThat(r.getRecordCount()).isEqualTo(1_000);
        }
    }

    @Test
    void creditsAndRejectsComeBackEqual() throws Exception {
        List<CreditInstruction> credits = List.of(CreditInstruction.newBuilder()
                .setCreditId("env-1")
                .setEnvelopeId(1)
                .setUserId("u")
                .setAmountFen(16_777_215L)
                .setBatchId(7)
                .setSponsorId("s")
                .setEnvelopeAccount("a")
                .setChannel("cash")
                .setOpenEventId("e")
                .setEdgeId(2)
                .setOpenTimeMs(3)
                .setCreditTimeMs(4)
                .build());
        assertThat(ParquetLogsTestAccess.<CreditInstruction>readSpecific(
                        write(CreditInstruction.class, credits), CreditInstruction.class))
                .isEqualTo(credits);
        List<RejectedOpen> rejects = List.of(
                RejectedOpen.newBuilder()
                        .setOpenEventId("e1")
                        .setReason(RejectReason.RECORD_MISMATCH)
                        .setDetail("d")
                        .setUserId("u")
                        .setDeviceId("d")
                        .setIp("1.2.3.4")
                        .setEdgeId(1)
                        .setEnvelopeId(5L)
                        .setAmountFen(6L)
                        .setBatchId(7)
                        .setKeyId(8)
                        .setOpenTimeMs(9)
                        .setRejectTimeMs(10)
                        .build(),
                RejectedOpen.newBuilder()
                        .setOpenEventId("e2")
                        .setReason(RejectReason.MALFORMED_TOKEN)
                        .setDetail("final failure: x")
                        .setUserId("")
                        .setDeviceId("")
                        .setIp("")
                        .setEdgeId(-1)
                        .setEnvelopeId(null)
                        .setAmountFen(null)
                        .setBatchId(null)
                        .setKeyId(null)
                        .setOpenTimeMs(9)
                        .setRejectTimeMs(10)
                        .build());
        assertThat(ParquetLogsTestAccess.<RejectedOpen>readSpecific(
                        write(RejectedOpen.class, rejects), RejectedOpen.class))
                .isEqualTo(rejects);
    }

    @Test
    void liveFlagsWithTheirListsOfAccountsComeBackEqualAndReadAsParquetAvroWritesThem() throws Exception {
        List<LiveFlag> flags = List.of(
                LiveFlag.newBuilder()
                        .setFlagId("f1")
                        .setKind("K")
                        .setSubject("phone")
                        .setAccounts(List.of("a", "b", "用户c"))
                        .setNewAccounts(List.of("a", "b", "用户c"))
                        .setWindowMs(60_000)
                        .setFirstSeenMs(1)
                        .setLastSeenMs(2)
                        .setOpenedFen(300)
                        .build(),
                LiveFlag.newBuilder()
                        .setFlagId("f2")
                        .setKind("K")
                        .setSubject("phone")
                        .setAccounts(List.of("a", "b", "用户c", "d"))
                        .setNewAccounts(List.of())
                        .setWindowMs(60_000)
                        .setFirstSeenMs(1)
                        .setLastSeenMs(3)
                        .setOpenedFen(400)
                        .build());
        Path file = write(LiveFlag.class, flags);
        assertThat(ParquetLogsTestAccess.<LiveFlag>readSpecific(file, LiveFlag.class))
                .isEqualTo(flags);
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file))) {
            assertThat(r.getFooter().getFileMetaData().getSchema())
                    .isEqualTo(new org.apache.parquet.avro.AvroSchemaConverter().convert(LiveFlag.getClassSchema()));
        }
    }

    @Test
    void aLogOfARecordTheWriterCannotWriteIsRefusedWhenTheSinkIsBuilt() {
        assertThatThrownBy(() -> ParquetLogs.sink(dir.toString(), LiveMetric.class, LiveMetric::getWindowEndMs))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LiveMetric.tags");
    }

    @Test
    void nestedTypesAreRefusedWhenTheWriterIsBuilt() {
        assertThatThrownBy(() -> new SpecificRecordWriteSupport<LiveMetric>(LiveMetric.getClassSchema()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LiveMetric.tags");
    }

    /** Reads files back as the generated classes, the way an Avro consumer of the logs would. */
    static final class ParquetLogsTestAccess {
        static List<OpenEvent> readOpens(Path file) throws Exception {
            return readSpecific(file, OpenEvent.class);
        }

        static <T> List<T> readSpecific(Path file, Class<T> type) throws Exception {
            List<T> out = new ArrayList<>();
            org.apache.avro.specific.SpecificData model =
                    new org.apache.avro.specific.SpecificData(type.getClassLoader());
            try (ParquetReader<T> r = AvroParquetReader.<T>builder(new LocalInputFile(file))
                    .withDataModel(model)
                    .build()) {
                for (T t = r.read(); t != null; t = r.read()) {
                    out.add(t);
                }
            }
            return out;
        }
    }
}
