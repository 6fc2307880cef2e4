package io.redpacket.simulation.identity;

import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.KeyStorePassword;
import io.redpacket.net.TrustedProxies;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/redpacket identity}: the small identity service of local campaigns (register, login, session credentials). */
@Command(
        name = "identity",
        mixinStandardHelpOptions = true,
        description = {
            "Run the local identity service: POST /register (account), POST /login (session credential signed",
            "with the newest key of --session-ring). Writes registrations.avro and sessions.avro to --out.",
            "Key store password: --password-file or " + KeyStorePassword.ENV + "."
        })
public final class IdentityCommand implements Callable<Integer> {
    @Option(names = "--session-ring", required = true, description = "Key store with the session keys.")
    Path sessionRing;

    @Option(names = "--password-file")
    Path passwordFile;

    @Option(names = "--host", defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", defaultValue = "7070")
    int port;

    @Option(
            names = "--lifetime-s",
            defaultValue = "3600",
            description = "Session lifetime (default ${DEFAULT-VALUE} s).")
    long lifetimeS;

    @Option(names = "--out", required = true, description = "Directory for registrations.avro and sessions.avro.")
    Path out;

    @Option(names = "--trusted-proxies", description = "Proxies whose X-Forwarded-For names the client.")
    String trustedProxies;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(sessionRing)) {
            throw new NoSuchFileException(sessionRing.toString(), null, "session key store does not exist");
        }
        if (lifetimeS < 1 || lifetimeS > 24 * 3600) {
            throw new BadInputException("--lifetime-s: " + lifetimeS + " (allowed 1..86400)");
        }
        TrustedProxies proxies;
        try {
            proxies = TrustedProxies.parse(trustedProxies);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--trusted-proxies: " + e.getMessage());
        }
        KeyRing ring;
        try {
            ring = KeyRingStore.load(sessionRing, KeyStorePassword.resolve(passwordFile, System.getenv()));
        } catch (java.io.IOException e) {
            throw new CommandLines.InputFileException(e.getMessage(), e);
        }
        if (ring.signingSessionKeyId() == 0) {
            throw new BadInputException(sessionRing + ": holds no session key (bin/redpacket keys session create)");
        }
        IdentityServer server =
                IdentityServer.start(new IdentityService(ring.sessionOnly(), lifetimeS), host, port, out, proxies);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            stopped.countDown();
                        },
                        "identity-stop"));
        System.out.println("identity service on " + host + ":" + server.port() + ", signing with session key "
                + ring.signingSessionKeyId() + ", lifetime " + lifetimeS + " s, logs in " + out);
        stopped.await();
        return CommandLines.OK;
    }
}
