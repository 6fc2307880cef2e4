package io.redpacket.settlement;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/** Reads the finished Parquet files of one settlement log (in-progress files are hidden, dot-prefixed). */
final class ParquetTestSupport {
    private ParquetTestSupport() {}

    record Row(String hourPartition, GenericRecord record) {}

    static List<Row> read(Path logDir) throws IOException {
        List<Row> out = new ArrayList<>();
        if (!Files.isDirectory(logDir)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(logDir)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> p.getFileName().toString().endsWith(".parquet"))
                    .toList();
        }
        for (Path f : files) {
            try (ParquetReader<GenericRecord> r = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(f))
                    .build()) {
                GenericRecord rec;
                while ((rec = r.read()) != null) {
                    out.add(new Row(f.getParent().getFileName().toString(), rec));
                }
            }
        }
        return out;
    }
}
