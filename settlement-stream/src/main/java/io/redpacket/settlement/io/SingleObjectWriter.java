package io.redpacket.settlement.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (the bytes a generated class's {@code toByteBuffer()} gives: marker C3 01, the
 * schema's 8-byte CRC-64-AVRO fingerprint, the binary datum), written with one reused buffer and encoder per
 * sink instance. Not thread-safe: one per task. The generated {@code toByteBuffer()} allocates a fresh stream
 * per record, goes through thread-locals and then needs another copy into a {@code byte[]} for Kafka.
 */
public final class SingleObjectWriter<T extends SpecificRecord> {
    private final SpecificDatumWriter<T> writer;
    private final byte[] header;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    private BinaryEncoder encoder;

    public SingleObjectWriter(Class<T> type) {
        Schema schema = SpecificData.getForClass(type).getSchema(type);
        this.writer = new SpecificDatumWriter<>(schema);
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        header = new byte[10];
        header[0] = (byte) 0xC3;
        header[1] = (byte) 0x01;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));  // little-endian, as the single-object spec says
        }
    }

    public byte[] write(T value) throws IOException {
        buffer.reset();
        buffer.write(header);
        encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
        writer.write(value, encoder);
        return buffer.toByteArray();
    }
}
