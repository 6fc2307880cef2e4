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
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String first = text.lines().findFirst().orElse("");
            if (first.isEmpty()) {
                throw new IOException("password file " + file + " is empty");
            }
            return first.toCharArray();
        }
        String value = env.get(ENV);
        if (value == null || value.isEmpty()) {
            throw new IOException("no key store password: set " + ENV + " or pass --password-file");
        }
        return value.toCharArray();
    }
}
