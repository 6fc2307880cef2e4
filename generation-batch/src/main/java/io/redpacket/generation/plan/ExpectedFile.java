package io.redpacket.generation.plan;

import io.redpacket.io.EnvelopeFiles;
import io.redpacket.io.FileStore;
import io.redpacket.io.Locations;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.security.MessageDigest;

/** A published file as its manifest describes it: where, how many bytes, which SHA-256. Checked by reading it back. */
public record ExpectedFile(URI uri, long sizeBytes, String checksum) implements Serializable {
    /** What is wrong with the file as {@code store} sees it, or null if it is exactly as expected. */
    public String check(FileStore store) {
        String where = Locations.display(uri);
        try {
            if (!store.exists(uri)) {
                return where + ": missing (its manifest lists it)";
            }
            MessageDigest md = EnvelopeFiles.sha256();
            long size = 0;
            byte[] buf = new byte[1 << 20];
            try (InputStream in = store.open(uri)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                    size += n;
                }
            }
            if (size != sizeBytes) {
                return where + ": " + size + " bytes, its manifest says " + sizeBytes
                        + (size < sizeBytes ? " (short)" : "");
            }
            String sum = EnvelopeFiles.format(md.digest());
            return sum.equals(checksum) ? null : where + ": content differs from its manifest's checksum";
        } catch (IOException e) {
            return where + ": cannot be read back: " + e.getMessage();
        }
    }
}
