package io.redpacket.keys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import javax.crypto.SecretKey;
import javax.crypto.spec.PBEParameterSpec;

/**
 * Reads and writes a {@link KeyRing} as a password-protected PKCS#12 key store (JDK provider, no extra jars on
 * a cluster). Every entry is encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256) under the store password.
 * Files are written to a temporary sibling and renamed, so a crash never leaves half a key store.
 */
public final class KeyRingStore {
    public static final String TICKET_ALIAS_PREFIX = "ticket-key-";
    public static final String TOKEN_MAC_ALIAS = "token-mac";
    public static final String SESSION_ALIAS_PREFIX = "session-key-";
    public static final String ENTRY_PROTECTION = "PBEWithHmacSHA256AndAES_256";
    /**
     * PBKDF2 iterations per entry. Each entry is derived separately at load time (in parallel); 10,000 is
     * the JDK's own PKCS#12 default and costs a few milliseconds per key.
     */
    public static final int DEFAULT_ITERATIONS = 10_000;

    private KeyRingStore() {}

    public static void save(KeyRing ring, Path file, char[] password) throws IOException {
        save(ring, file, password, DEFAULT_ITERATIONS);
    }

    public static void save(KeyRing ring, Path file, char[] password, int iterations) throws IOException {
        byte[] bytes = toBytes(ring, file.toString(), password, iterations);
        io.redpacket.io.AtomicFiles.write(file, tmp -> Files.write(tmp, bytes));
    }

    private static byte[] toBytes(KeyRing ring, String file, char[] password, int iterations) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            SecureRandom random = new SecureRandom();
            for (int id : ring.keyIds()) {
                ks.setEntry(
                        alias(id),
                        new KeyStore.SecretKeyEntry(ring.ticketKey(id)),
                        protection(password, iterations, random));
            }
            for (int id : ring.sessionKeyIds()) {
                ks.setEntry(
                        sessionAlias(id),
                        new KeyStore.SecretKeyEntry(ring.sessionKey(id)),
                        protection(password, iterations, random));
            }
            if (ring.tokenMacKey() != null) {
                ks.setEntry(
                        TOKEN_MAC_ALIAS,
                        new KeyStore.SecretKeyEntry(ring.tokenMacKey()),
                        protection(password, iterations, random));
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            ks.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write key store " + file + ": " + e.getMessage(), e);
        }
    }

    /** Loads every entry; a wrong password or a damaged file fails with a message naming the file. */
    public static KeyRing load(Path file, char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString(), password);
        } catch (NoSuchFileException e) {
            throw new IOException("key store " + file + " does not exist", e);
        }
    }

    /** Loads a key store from any file system (HDFS, S3, ...): {@code name} is what errors call it. */
    public static KeyRing load(io.redpacket.io.FileStore store, java.net.URI file, char[] password) throws IOException {
        if (!store.exists(file)) {
            throw new IOException("key store " + io.redpacket.io.Locations.display(file) + " does not exist");
        }
        try (InputStream in = store.open(file)) {
            return load(in, io.redpacket.io.Locations.display(file), password);
        }
    }

    /** Writes a key store to any file system, whole or not at all. */
    public static void save(KeyRing ring, io.redpacket.io.FileStore store, java.net.URI file, char[] password)
            throws IOException {
        byte[] bytes = toBytes(ring, file.toString(), password, DEFAULT_ITERATIONS);
        store.writeAtomically(file, out -> out.write(bytes));
    }

    private static KeyRing load(InputStream in, String file, char[] password) throws IOException {
        KeyStore ks;
        try {
            ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException(openFailure(file, e), e);
        }
        try {
            List<Integer> ids = new ArrayList<>();
            List<Integer> sessionIds = new ArrayList<>();
            for (String alias : Collections.list(ks.aliases())) {
                if (alias.startsWith(TICKET_ALIAS_PREFIX)) {
                    ids.add(parseId(file, alias));
                } else if (alias.startsWith(SESSION_ALIAS_PREFIX)) {
                    sessionIds.add(parseSessionId(file, alias));
                } else if (!alias.equals(TOKEN_MAC_ALIAS)) {
                    throw new IOException("key store " + file + ": unexpected entry '" + alias + "'");
                }
            }
            int max = ids.stream().mapToInt(Integer::intValue).max().orElse(0);
            SecretKey[] keys = new SecretKey[max + 1];
            // PBKDF2 per entry dominates load time: derive entries on all cores.
            IntStream.range(0, ids.size())
                    .parallel()
                    .forEach(i -> keys[ids.get(i)] = getKey(ks, alias(ids.get(i)), password));
            SecretKey mac = ks.containsAlias(TOKEN_MAC_ALIAS) ? getKey(ks, TOKEN_MAC_ALIAS, password) : null;
            SecretKey[] sessions = new SecretKey
                    [sessionIds.stream().mapToInt(Integer::intValue).max().orElse(0) + 1];
            for (int id : sessionIds) {
                sessions[id] = getKey(ks, sessionAlias(id), password);
            }
            return new KeyRing(keys, mac, sessions);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("cannot read keys from key store " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * One line a user can act on. The JDK reports a wrong password as an IOException caused by
     * {@code UnrecoverableKeyException: Failed PKCS12 integrity checking}; a user should read "wrong password",
     * not a class name.
     */
    static String openFailure(String file, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.security.UnrecoverableKeyException) {
                return "cannot open key store " + file
                        + ": wrong password (or the file was altered: its integrity check failed)";
            }
        }
        return "cannot open key store " + file + ": not a readable PKCS#12 key store (damaged or another format)";
    }

    private static SecretKey getKey(KeyStore ks, String alias, char[] password) {
        try {
            return (SecretKey) ks.getKey(alias, password);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("entry " + alias + ": " + e.getMessage(), e);
        }
    }

    private static int parseId(String file, String alias) throws IOException {
        try {
            int id = Integer.parseInt(alias.substring(TICKET_ALIAS_PREFIX.length()));
            if (id < 1 || id > io.redpacket.envelope.EnvelopeLayout.MAX_KEY_ID) {
                throw new NumberFormatException("out of range");
            }
            return id;
        } catch (NumberFormatException e) {
            throw new IOException("key store " + file + ": bad key alias '" + alias + "'");
        }
    }

    private static int parseSessionId(String file, String alias) throws IOException {
        try {
            int id = Integer.parseInt(alias.substring(SESSION_ALIAS_PREFIX.length()));
            if (id < 1 || id > KeyRing.MAX_SESSION_KEY_ID) {
                throw new NumberFormatException("out of range");
            }
            return id;
        } catch (NumberFormatException e) {
            throw new IOException("key store " + file + ": bad session key alias '" + alias + "'");
        }
    }

    public static String sessionAlias(int id) {
        return SESSION_ALIAS_PREFIX + String.format("%05d", id);
    }

    public static String alias(int keyId) {
        return TICKET_ALIAS_PREFIX + String.format("%05d", keyId);
    }

    private static KeyStore.PasswordProtection protection(char[] password, int iterations, SecureRandom random) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return new KeyStore.PasswordProtection(password, ENTRY_PROTECTION, new PBEParameterSpec(salt, iterations));
    }
}
