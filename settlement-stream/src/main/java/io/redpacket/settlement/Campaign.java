package io.redpacket.settlement;

import io.redpacket.avro.FileManifest;
import io.redpacket.cli.BadInputException;
import io.redpacket.io.AvroTrust;
import io.redpacket.io.GeneratedVariant;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.KeyStorePassword;
import io.redpacket.settlement.io.EnvelopeFileFormat;
import io.redpacket.settlement.io.FlinkFileStore;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The generated variant settlement works on, read through Flink's file systems by the one reader of a variant
 * ({@link GeneratedVariant}: committed, small files checked), on the client and again in the tasks that need it.
 */
public final class Campaign {
    static {
        AvroTrust.install();
    }

    private final GeneratedVariant variant;

    private Campaign(GeneratedVariant variant) {
        this.variant = variant;
    }

    /**
     * @throws BadInputException a variant that is not committed or whose files do not add up, each problem located
     * @throws java.nio.file.NoSuchFileException the directory or a required file is missing
     */
    public static Campaign open(URI variantDir) throws IOException, BadInputException {
        AvroTrust.install();
        return new Campaign(GeneratedVariant.open(FlinkFileStore.INSTANCE, variantDir));
    }

    public GeneratedVariant variant() {
        return variant;
    }

    public URI dir() {
        return variant.dir();
    }

    /** When the last slot ends (epoch ms). */
    public long endMs() {
        return variant.endMs();
    }

    /** Every envelope file with the record count and checksum its manifest promises. */
    public List<EnvelopeFileFormat.Expected> envelopeFiles() {
        return variant.manifests().stream()
                .map((FileManifest m) -> new EnvelopeFileFormat.Expected(
                        variant.envelopeFile(m).toString(), m.getRecordCount(), m.getChecksum()))
                .toList();
    }

    /** Lists the variant once: committed files missing or of the wrong size, each named. */
    public void checkPublished() throws IOException, BadInputException {
        List<String> problems = variant.checkPublished();
        if (!problems.isEmpty()) {
            throw new BadInputException(problems);
        }
    }

    /**
     * The open-side key ring of a variant, with the password from {@code passwordFile} (any file system Flink
     * reads, e.g. an owner-only file on HDFS) or else from the process environment (the TaskManagers'
     * {@value KeyStorePassword#ENV}). The password never travels in the job graph: only the file's location does.
     */
    public static KeyRing openRing(URI variantDir, URI passwordFile, Map<String, String> env) throws IOException {
        char[] password = KeyStorePassword.resolve(FlinkFileStore.INSTANCE, passwordFile, env);
        try {
            return KeyRingStore.load(
                    FlinkFileStore.INSTANCE,
                    Locations.child(
                            variantDir,
                            io.redpacket.io.CampaignLayout.KEYS_DIR + "/" + io.redpacket.io.CampaignLayout.OPEN_RING),
                    password);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** The open ring as the operators load it, from their {@link Settings}. */
    public static KeyRing openRing(Settings s) throws IOException {
        return openRing(
                URI.create(s.variantDir()),
                s.passwordFile() == null ? null : URI.create(s.passwordFile()),
                System.getenv());
    }
}
