package io.redpacket.campaign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the newest completed Flink checkpoint (a chk-N directory with its _metadata) to restore from. */
final class Checkpoints {
    private Checkpoints() {}

    static String latest(Path checkpointRoot) throws IOException {
        if (!Files.isDirectory(checkpointRoot)) {
            throw new IOException("no checkpoint directory " + checkpointRoot + " to restore from");
        }
        try (Stream<Path> files = Files.walk(checkpointRoot, 3)) {
            Optional<Path> newest = files.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                    .max(Comparator.comparingLong(Checkpoints::number));
            return newest.orElseThrow(() -> new IOException("no completed checkpoint under " + checkpointRoot))
                    .toUri()
                    .toString();
        }
    }

    private static long number(Path chk) {
        try {
            return Long.parseLong(chk.getFileName().toString().substring(4));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
