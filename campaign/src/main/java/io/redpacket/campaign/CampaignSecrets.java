package io.redpacket.campaign;

import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A campaign's secrets, made fresh for each run: the key store password, the edges' admin token and the dashboard's
 * operator token in owner-only files under {@code secrets/} (children read them from there, never from a command
 * line); the sealing ring (ticket keys + token key) and the identity service's session ring under {@code keys/}.
 */
record CampaignSecrets(
        Path passwordFile, Path adminTokenFile, String adminToken, Path sealingRing, Path sessionRing, int ticketKeys) {
    static CampaignSecrets create(Path workDir, boolean operatorToken) throws IOException {
        Path secrets = Files.createDirectories(workDir.resolve("secrets"));
        SecureRandom random = new SecureRandom();
        Path passwordFile = writeSecret(secrets.resolve("keystore-password"), randomHex(random, 24));
        String adminToken = randomHex(random, 24);
        Path adminTokenFile = writeSecret(secrets.resolve("admin-token"), adminToken);
        if (operatorToken) {
            // The operators' dashboard token names its operator: what the audit log and the control commands record.
            writeSecret(secrets.resolve("operator-token"), "campaign-operator:" + randomHex(random, 24));
        }
        int keys = 64;
        Path ring = workDir.resolve("keys/ring.p12");
        Path sessionRing = workDir.resolve("keys/session-ring.p12");
        char[] password = Files.readString(passwordFile).trim().toCharArray();
        KeyRingStore.save(KeyRing.generate(keys, random), ring, password);
        // The identity service's own key, separate from the campaign's: it signs logins, the edges verify sessions with
        // it.
        KeyRingStore.save(KeyRing.generateSessionRing(random), sessionRing, password);
        return new CampaignSecrets(passwordFile, adminTokenFile, adminToken, ring, sessionRing, keys);
    }

    private static Path writeSecret(Path file, String value) throws IOException {
        Files.writeString(file, value + "\n");
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // Not a POSIX file system: nothing more to do.
        }
        return file;
    }

    private static String randomHex(SecureRandom random, int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
