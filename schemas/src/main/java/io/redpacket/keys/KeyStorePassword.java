package io.redpacket.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where key store passwords come from: a file (first line) or an environment variable, never a command-line
 * argument (visible in process lists) and never a log line.
 */
public final class KeyStorePassword {
    public static final String ENV = "REDPACKET_KEYSTORE_PASSWORD";

    private KeyStorePassword() {}

    public static char[] resolve(Path file, Map<String, String> env) throws IOException {
        if (file != null) {
            return firstLine(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        }
        return fromEnvironment(env);
    }

    /**
     * From a password file on any file system (e.g. owner-only on HDFS, so every task of a cluster job can read
     * it and no command line carries the secret), else the environment.
     */
    public static char[] resolve(io.redpacket.io.FileStore store, java.net.URI file, Map<String, String> env)
            throws IOException {
        if (file != null) {
            if (!store.exists(file)) {
                throw new IOException("password file " + io.redpacket.io.Locations.display(file) + " does not exist");
            }
            return firstLine(
                    new String(store.readAllBytes(file), StandardCharsets.UTF_8),
                    io.redpacket.io.Locations.display(file));
        }
        return fromEnvironment(env);
    }

    private static char[] firstLine(String text, String file) throws IOException {
        String first = text.lines().findFirst().orElse("");
        if (first.isEmpty()) {
            throw new IOException("password file " + file + " is empty");
        }
        return first.toCharArray();
    }

    private static char[] fromEnvironment(Map<String, String> env) throws IOException {
        String value = env.get(ENV);
        if (value == null || value.isEmpty()) {
            throw new IOException("no key store password: set " + ENV + " or pass --password-file");
        }
        return value.toCharArray();
    }
}
