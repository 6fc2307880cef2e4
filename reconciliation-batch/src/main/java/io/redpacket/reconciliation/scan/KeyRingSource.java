package io.redpacket.reconciliation.scan;

import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.KeyStorePassword;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a task finds the open ring: a key store path and, optionally, a password file, both readable on every
 * executor. Only these two paths travel with the task, never key material or the password; without a password
 * file the executor's {@code REDPACKET_KEYSTORE_PASSWORD} is used (on a cluster set it with
 * {@code spark.executorEnv.REDPACKET_KEYSTORE_PASSWORD}, which Spark redacts in its UI).
 * A loaded ring is cached per JVM: PBKDF2 over hundreds of entries should run once per executor, not per task.
 */
public record KeyRingSource(String keyStore, String passwordFile) implements Serializable {
    private static final ConcurrentHashMap<String, KeyRing> CACHE = new ConcurrentHashMap<>();

    public KeyRing load() throws IOException {
        Path store = Path.of(keyStore);
        String cacheKey = keyStore + "|" + passwordFile + "|" + Files.getLastModifiedTime(store).toMillis();
        KeyRing cached = CACHE.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        char[] password = KeyStorePassword.resolve(passwordFile == null ? null : Path.of(passwordFile), System.getenv());
        KeyRing ring = KeyRingStore.load(store, password);
        java.util.Arrays.fill(password, '\0');
        CACHE.put(cacheKey, ring);
        return ring;
    }
}
