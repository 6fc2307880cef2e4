package io.redpacket.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

/** Small Avro container files (batch config, manifests): written atomically, read with the file named in errors. */
public final class AvroFiles {
    static {
        // every stage reads and writes its small Avro files here, on clients and in tasks alike: no JVM flag needed
        AvroTrust.install();
    }

    private AvroFiles() {}

    public static <T extends SpecificRecordBase> void writeAll(Path file, List<T> records, Schema schema)
            throws IOException {
        writeAll(
                LocalFileStore.INSTANCE,
                Locations.canonical(file.toAbsolutePath().toUri()),
                records,
                schema);
    }

    public static <T extends SpecificRecordBase> void writeAll(
            FileStore store, URI file, List<T> records, Schema schema) throws IOException {
        store.writeAtomically(file, out -> write(out, records, schema));
    }

    /** The container bytes of {@code records} (deflate), for callers that checksum what they write. */
    public static <T extends SpecificRecordBase> byte[] toBytes(List<T> records, Schema schema) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        write(out, records, schema);
        return out.toByteArray();
    }

    private static <T extends SpecificRecordBase> void write(OutputStream out, List<T> records, Schema schema)
            throws IOException {
        try (DataFileWriter<T> writer = new DataFileWriter<>(new SpecificDatumWriter<>(schema))) {
            writer.setCodec(CodecFactory.deflateCodec(6));
            writer.create(schema, out);
            for (T r : records) {
                writer.append(r);
            }
        }
    }

    public static <T extends SpecificRecordBase> List<T> readAll(Path file, Class<T> type) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "Avro file does not exist");
        }
        return readAll(
                LocalFileStore.INSTANCE,
                Locations.canonical(file.toAbsolutePath().toUri()),
                type);
    }

    public static <T extends SpecificRecordBase> List<T> readAll(FileStore store, URI file, Class<T> type)
            throws IOException {
        if (!store.exists(file)) {
            throw new NoSuchFileException(Locations.display(file), null, "Avro file does not exist");
        }
        try (InputStream in = store.open(file)) {
            return readAll(in, Locations.display(file), type);
        }
    }

    /** Reads every record of a container from a stream; {@code name} is what errors call it. */
    public static <T extends SpecificRecordBase> List<T> readAll(InputStream in, String name, Class<T> type)
            throws IOException {
        List<T> out = new ArrayList<>();
        try (DataFileStream<T> reader = new DataFileStream<>(in, new SpecificDatumReader<>(type))) {
            for (T r : reader) {
                out.add(r);
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(
                    name + ": not a readable Avro file of " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        return out;
    }
}
