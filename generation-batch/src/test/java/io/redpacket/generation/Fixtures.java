package io.redpacket.generation;

import io.redpacket.generation.input.InputValidator;
import io.redpacket.generation.input.ValidatedInputs;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Set;

/** Shared inputs: the shipped demo campaign and a key ring written the way bin/redpacket keys create writes it. */
final class Fixtures {
    static final Path DEMO_BUDGET = Path.of("samples/demo-budget.csv");
    static final Path DEMO_SCRIPT = Path.of("samples/demo-script.yaml");
    static final char[] PASSWORD = "test-password".toCharArray();

    private Fixtures() {}

    static ValidatedInputs demo() throws Exception {
        return InputValidator.validate(DEMO_BUDGET, DEMO_SCRIPT);
    }

    /** A ring of {@code keys} ticket keys; few PBKDF2 iterations so tests stay fast. */
    static Path ring(Path dir, int keys) throws IOException {
        Path file = dir.resolve("ring-" + keys + ".p12");
        KeyRingStore.save(KeyRing.generate(keys, new SecureRandom()), file, PASSWORD, 1000);
        return file;
    }

    static Generation.Options options(Path ring, Path out, int shards, long seed, long keyCap, int blockSize) {
        return options(ring, uri(out), shards, seed, keyCap, blockSize);
    }

    static Generation.Options options(Path ring, URI out, int shards, long seed, long keyCap, int blockSize) {
        return new Generation.Options(
                uri(DEMO_BUDGET),
                uri(DEMO_SCRIPT),
                uri(ring),
                PASSWORD,
                out,
                shards,
                seed,
                keyCap,
                1,
                blockSize,
                Set.of());
    }

    static URI uri(Path p) {
        return Locations.parse(p.toString());
    }

    /** Hadoop's client on local disk, as the command line uses it. */
    static HadoopFileStore store() {
        return new HadoopFileStore(new org.apache.hadoop.conf.Configuration());
    }
}
