package io.redpacket.io;

import io.redpacket.envelope.EnvelopeLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Facts about an envelope file (26-byte records back to back) that every reader checks the same way. */
public final class EnvelopeFiles {
    private EnvelopeFiles() {}

    public static final String CHECKSUM_PREFIX = "sha256:";

    /** Records in the file; fails, naming the file, if its size is not a whole number of records. */
    public static long recordCount(Path file) throws IOException {
        long size = Files.size(file);
        if (size % EnvelopeLayout.RECORD_BYTES != 0) {
            throw new IOException(file + ": size " + size + " is not a multiple of the " + EnvelopeLayout.RECORD_BYTES
                    + "-byte record");
        }
        return size / EnvelopeLayout.RECORD_BYTES;
    }

    /** The manifest checksum of a file: {@code sha256:<hex>} of its bytes. */
    public static String checksum(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return checksum(in);
        }
    }

    /** The manifest checksum of everything left in {@code in}. */
    public static String checksum(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 20];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
        }
        return format(md.digest());
    }

    /** The checksum of bytes in memory (small files: metadata, key stores). */
    public static String checksum(byte[] bytes) {
        return format(sha256().digest(bytes));
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String format(byte[] digest) {
        return CHECKSUM_PREFIX + HexFormat.of().formatHex(digest);
    }
}
