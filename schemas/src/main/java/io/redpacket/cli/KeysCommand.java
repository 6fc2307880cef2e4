package io.redpacket.cli;

import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.KeyStorePassword;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code redpacket keys}: create a campaign key ring and export what each side may hold. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Create and export password-protected key rings (PKCS#12).",
                "Passwords come from --password-file or the environment variable " + KeyStorePassword.ENV + "."},
        subcommands = {KeysCommand.Create.class, KeysCommand.Export.class, KeysCommand.ListKeys.class, KeysCommand.Session.class})
public final class KeysCommand implements Callable<Integer> {
    @Option(names = "--password-file", description = "File whose first line is the key store password.")
    Path passwordFile;

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }


    char[] password() throws IOException {
        return KeyStorePassword.resolve(passwordFile, System.getenv());
    }

    static KeyRing load(Path file, char[] password) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "key store does not exist");
        }
        try {
            return KeyRingStore.load(file, password);
        } catch (IOException e) {
            throw new CommandLines.InputFileException(e.getMessage(), e);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key ring with ticket keys 1..N and a token key.")
    static final class Create implements Callable<Integer> {
        @ParentCommand KeysCommand parent;
        @Option(names = "--out", required = true, description = "Key store to write (refuses to overwrite).") Path out;
        @Option(names = "--count", required = true, description = "Number of ticket keys (1..65535).") int count;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(out)) {
                throw new BadInputException(out + ": already exists; refusing to overwrite a key store");
            }
            if (count < 1 || count > io.redpacket.envelope.EnvelopeLayout.MAX_KEY_ID) {
                throw new BadInputException("--count: " + count + " (allowed 1.." + io.redpacket.envelope.EnvelopeLayout.MAX_KEY_ID + ")");
            }
            KeyRing ring = KeyRing.generate(count, new SecureRandom());
            KeyRingStore.save(ring, out, parent.password());
            System.out.println("wrote " + out + ": " + ring);
            return CommandLines.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the subset of a ring another side may hold: whitelisted ticket keys, or only the token key.")
    static final class Export implements Callable<Integer> {
        @ParentCommand KeysCommand parent;
        @Option(names = "--in", required = true, description = "Source key store.") Path in;
        @Option(names = "--out", required = true, description = "Key store to write.") Path out;
        @Option(names = "--key-ids", description = "Whitelist, e.g. 1-100,205 (default: all).") String keyIds;
        @Option(names = "--token-only", description = "Only the token key (for shake-only edges).") boolean tokenOnly;

        @Override
        public Integer call() throws Exception {
            KeyRing ring = load(in, parent.password());
            KeyRing exported;
            if (tokenOnly) {
                exported = ring.tokenOnly();
            } else if (keyIds != null) {
                BitSet allowed = parseRanges(keyIds);
                exported = ring.restrictTo(allowed::get);
            } else {
                exported = ring;
            }
            KeyRingStore.save(exported, out, parent.password());
            System.out.println("wrote " + out + ": " + exported);
            return CommandLines.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Show which key ids a ring holds (never key material).")
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand KeysCommand parent;
        @Option(names = "--in", required = true) Path in;

        @Override
        public Integer call() throws Exception {
            System.out.println(in + ": " + load(in, parent.password()));
            return CommandLines.OK;
        }
    }

    /**
     * Session keys (the identity service signs logins with the newest; edges verify by key id): a store of their own,
     * separate from the campaign's ticket and token keys. Rotation adds a key that signs from then on while the older
     * ones still verify; retiring a key makes every session it signed invalid at the next start of each verifier.
     */
    @Command(name = "session", mixinStandardHelpOptions = true,
            description = {"Session key ring: create it, rotate (add a new signing key), retire old keys.",
                    "  keys session create --out sessions.p12", "  keys session rotate --in sessions.p12",
                    "  keys session retire --in sessions.p12 --key-ids 1"},
            subcommands = {SessionCreate.class, SessionRotate.class, SessionRetire.class})
    static final class Session implements Callable<Integer> {
        @ParentCommand KeysCommand parent;

        @Override
        public Integer call() {
            picocli.CommandLine.usage(this, System.out);
            return CommandLines.BAD_INPUT;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a session key ring with session key 1.")
    static final class SessionCreate implements Callable<Integer> {
        @ParentCommand Session session;
        @Option(names = "--out", required = true, description = "Key store to write (refuses to overwrite).") Path out;

        @Override
        public Integer call() throws Exception {
            if (Files.exists(out)) {
                throw new BadInputException(out + ": already exists; refusing to overwrite a key store");
            }
            KeyRing ring = KeyRing.generateSessionRing(new SecureRandom());
            KeyRingStore.save(ring, out, session.parent.password());
            System.out.println("wrote " + out + ": " + ring);
            return CommandLines.OK;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true, description = "Add a session key with the next id; it signs from now on.")
    static final class SessionRotate implements Callable<Integer> {
        @ParentCommand Session session;
        @Option(names = "--in", required = true, description = "Session key store, rewritten in place (atomically).") Path in;

        @Override
        public Integer call() throws Exception {
            char[] password = session.parent.password();
            KeyRing ring = load(in, password);
            if (ring.signingSessionKeyId() == 0) {
                throw new BadInputException(in + ": holds no session key (create one with 'keys session create')");
            }
            KeyRing rotated = ring.withRotatedSessionKey(new SecureRandom());
            KeyRingStore.save(rotated, in, password);
            System.out.println("wrote " + in + ": " + rotated);
            return CommandLines.OK;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true, description = "Remove session keys: sessions they signed stop verifying.")
    static final class SessionRetire implements Callable<Integer> {
        @ParentCommand Session session;
        @Option(names = "--in", required = true, description = "Session key store, rewritten in place (atomically).") Path in;
        @Option(names = "--key-ids", required = true, description = "Session key ids to retire, e.g. 1-3,5.") String keyIds;

        @Override
        public Integer call() throws Exception {
            char[] password = session.parent.password();
            KeyRing ring = load(in, password);
            int[] ids = parseRanges(keyIds).stream().toArray();
            KeyRing retired;
            try {
                retired = ring.withoutSessionKeys(ids);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--key-ids: " + e.getMessage());
            }
            if (retired.signingSessionKeyId() == 0) {
                throw new BadInputException("--key-ids: would retire every session key of " + in + "; rotate first");
            }
            KeyRingStore.save(retired, in, password);
            System.out.println("wrote " + in + ": " + retired);
            return CommandLines.OK;
        }
    }

    static BitSet parseRanges(String spec) throws BadInputException {
        BitSet set = new BitSet();
        for (String part : spec.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
                if (from < 1 || to > io.redpacket.envelope.EnvelopeLayout.MAX_KEY_ID || to < from) {
                    throw new NumberFormatException();
                }
                set.set(from, to + 1);
            } catch (NumberFormatException e) {
                throw new BadInputException("--key-ids: '" + p + "' is not a key id or range within 1.." + io.redpacket.envelope.EnvelopeLayout.MAX_KEY_ID);
            }
        }
        return set;
    }
}
