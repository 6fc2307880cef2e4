package io.redpacket.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

/** Small Avro container files (batch config, manifests): written atomically, read with the file named in errors. */
public final class AvroFiles {
    private AvroFiles() {}

    public static <T extends SpecificRecordBase> void writeAll(Path file, List<T> records, org.apache.avro.Schema schema) throws IOException {
        AtomicFiles.write(file, tmp -> {
            try (DataFileWriter<T> writer = new DataFileWriter<>(new SpecificDatumWriter<>(schema))) {
                writer.setCodec(CodecFactory.deflateCodec(6));
                writer.create(schema, tmp.toFile());
                for (T r : records) {
                    writer.append(r);
                }
            }
        });
    }

    public static <T extends SpecificRecordBase> List<T> readAll(Path file, Class<T> type) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "Avro file does not exist");
        }
        List<T> out = new ArrayList<>();
        try (DataFileReader<T> reader = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
            for (T r : reader) {
                out.add(r);
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a readable Avro file of " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        return out;
    }
}
