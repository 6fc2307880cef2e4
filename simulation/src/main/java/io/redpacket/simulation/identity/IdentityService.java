package io.redpacket.simulation.identity;

import io.redpacket.avro.AccountRegistration;
import io.redpacket.avro.SessionIssued;
import io.redpacket.io.AvroFiles;
import io.redpacket.keys.KeyRing;
import io.redpacket.session.SessionLayout;
import io.redpacket.session.SessionSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A small identity service for local campaigns and tests (the rules; {@link IdentityServer} is its HTTP face).
 *
 * <p>Contract, the one a production identity service must keep too: it registers accounts (user id from
 * {@link SessionLayout#ALPHABET}, 1..64 characters, with the device and address they registered from) and hands
 * each a secret; at login (user id, secret, device) it issues a session credential ({@link SessionLayout}): user and
 * device bound, signed with the newest session key of its key ring, valid for {@code lifetimeS} (a client may ask
 * for less, never more). Edges verify credentials locally with the same ring (several key ids live at once, so keys
 * rotate without logging anyone out; a retired key's sessions stop verifying). What a production service adds and
 * this one does not: real authentication (password with a slow KDF, SMS or device attestation), throttling of
 * registrations and logins, revocation lists pushed to the edges, persistence of accounts, asymmetric signatures if
 * edges must not be able to mint sessions.
 *
 * <p>What fraud analysis reads of it: every registration ({@code AccountRegistration}: user, registration order and
 * time, device, address) and every login ({@code SessionIssued}: a hash of the credential, user, device, address,
 * key, issue and expiry times), written as Avro files by {@link #writeLogs}. Thread-safe.
 */
public final class IdentityService {
    public static final String REGISTRATIONS = "registrations.avro";
    public static final String SESSIONS = "sessions.avro";

    /** Why a request was refused. */
    public static final class Refused extends Exception {
        public final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    public record Login(String session, long expiresAtMs) {}

    private record Account(byte[] secretHash, String deviceId) {}

    private final KeyRing ring;
    private final long lifetimeS;
    private final ThreadLocal<SessionSigner> signers;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Account> accounts = new HashMap<>();
    private final List<AccountRegistration> registrations = new ArrayList<>();
    private final List<SessionIssued> sessions = new ArrayList<>();

    public IdentityService(KeyRing sessionRing, long lifetimeS) {
        if (lifetimeS < 1) {
            throw new IllegalArgumentException("session lifetime " + lifetimeS + " s");
        }
        this.ring = sessionRing;
        this.lifetimeS = lifetimeS;
        new SessionSigner(sessionRing);
        this.signers = ThreadLocal.withInitial(() -> new SessionSigner(ring));
    }

    /** Registers an account; returns its secret (shown once). */
    public synchronized String register(String userId, String deviceId, String ip, String clientVersion, long nowMs)
            throws Refused {
        if (!SessionLayout.validId(userId)) {
            throw new Refused(
                    400, "user: 1.." + SessionLayout.MAX_ID_CHARS + " characters of " + SessionLayout.ALPHABET);
        }
        if (!SessionLayout.validId(deviceId)) {
            throw new Refused(
                    400, "device: 1.." + SessionLayout.MAX_ID_CHARS + " characters of " + SessionLayout.ALPHABET);
        }
        if (accounts.containsKey(userId)) {
            throw new Refused(409, "user: already registered");
        }
        byte[] secret = new byte[16];
        random.nextBytes(secret);
        String text = HexFormat.of().formatHex(secret);
        accounts.put(userId, new Account(sha256(text), deviceId));
        registrations.add(AccountRegistration.newBuilder()
                .setUserId(userId)
                .setRegistrationSeq(registrations.size() + 1L)
                .setRegisteredAtMs(nowMs)
                .setDeviceId(deviceId)
                .setIp(ip == null ? "" : ip)
                .setClientVersion(clientVersion == null ? "" : clientVersion)
                .build());
        return text;
    }

    /** A session for the account on this device; {@code askedLifetimeS} 0 for the service's lifetime. */
    public Login login(String userId, String secret, String deviceId, String ip, long askedLifetimeS, long nowMs)
            throws Refused {
        Account a;
        synchronized (this) {
            a = accounts.get(userId);
        }
        // The same answer for an unknown user and a wrong secret: the service does not say which accounts exist.
        if (a == null || secret == null || !MessageDigest.isEqual(a.secretHash, sha256(secret))) {
            throw new Refused(401, "unknown user or wrong secret");
        }
        if (!SessionLayout.validId(deviceId)) {
            throw new Refused(
                    400, "device: 1.." + SessionLayout.MAX_ID_CHARS + " characters of " + SessionLayout.ALPHABET);
        }
        long life = askedLifetimeS > 0 ? Math.min(askedLifetimeS, lifetimeS) : lifetimeS;
        SessionSigner signer = signers.get();
        String session = signer.sign(userId, deviceId, nowMs, life);
        long expires = nowMs + life * 1000;
        synchronized (this) {
            sessions.add(SessionIssued.newBuilder()
                    .setSessionHash(sessionHash(session))
                    .setUserId(userId)
                    .setDeviceId(deviceId)
                    .setIp(ip == null ? "" : ip)
                    .setKeyId(signer.keyId())
                    .setIssuedAtMs(nowMs)
                    .setExpiresAtMs(expires)
                    .build());
        }
        return new Login(session, expires);
    }

    public synchronized int accounts() {
        return accounts.size();
    }

    /** Writes both logs to {@code dir} (each atomically replaced), in registration and login order. */
    public void writeLogs(Path dir) throws IOException {
        List<AccountRegistration> r;
        List<SessionIssued> s;
        synchronized (this) {
            r = List.copyOf(registrations);
            s = List.copyOf(sessions);
        }
        Files.createDirectories(dir);
        AvroFiles.writeAll(dir.resolve(REGISTRATIONS), r, AccountRegistration.getClassSchema());
        AvroFiles.writeAll(dir.resolve(SESSIONS), s, SessionIssued.getClassSchema());
    }

    /** First 16 bytes of SHA-256 of the credential text, hex: what logs carry instead of the credential. */
    public static String sessionHash(String credential) {
        return HexFormat.of().formatHex(sha256(credential), 0, 16);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
