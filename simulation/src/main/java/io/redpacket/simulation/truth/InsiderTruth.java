package io.redpacket.simulation.truth;

import io.redpacket.avro.InsiderOpen;
import io.redpacket.io.AtomicFiles;
import io.redpacket.io.AvroFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** What the insider sent straight into the opens topic: every row must end rejected, none credited. */
public record InsiderTruth(List<Row> rows) {
    public static final InsiderTruth EMPTY = new InsiderTruth(List.of());
    /** Where a campaign keeps it (InsiderOpen records), in its run directory. */
    public static final String FILE = "insider.avro";

    public int events() {
        return rows.size();
    }

    /** Writes the rows as InsiderOpen records to {@code file}, published whole or not at all. */
    public void write(Path file) throws IOException {
        List<InsiderOpen> opens = rows.stream()
                .map(r -> new InsiderOpen(r.eventId(), r.kind(), r.envelopeId(), r.userId()))
                .toList();
        AtomicFiles.write(file, tmp -> AvroFiles.writeAll(tmp, opens, InsiderOpen.getClassSchema()));
    }

    public record Row(String eventId, String kind, long envelopeId, String userId) {}
}
