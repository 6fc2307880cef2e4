package io.redpacket.cli;

import io.redpacket.io.FileStore;
import io.redpacket.io.LocalFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.KeyStorePassword;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code redpacket keys}: create a campaign key ring and export what each side may hold. Every path is a location
 * ({@link Locations}): a local path, {@code file://}, or {@code hdfs://} / {@code s3a://} through Hadoop's client
 * with the configuration found on the class path ({@code bin/redpacket} adds {@code $HADOOP_CONF_DIR}).
 */
@Command(
        name = "keys",
        mixinStandardHelpOptions = true,
        description = {
            "Create and export password-protected key rings (PKCS#12).",
            "Passwords come from --password-file or the environment variable " + KeyStorePassword.ENV + "."
        },
        subcommands = {
            KeysCommand.Create.class,
            KeysCommand.Export.class,
            KeysCommand.ListKeys.class,
            KeysCommand.Session.class
        })
public final class KeysCommand implements Callable<Integer> {
    @Option(
            names = "--password-file",
            converter = Locations.Converter.class,
            description = "File whose first line is the key store password (local path, file://, hdfs://, s3a://).")
    URI passwordFile;

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }

    char[] password() throws IOException, BadInputException {
        try {
            FileStore store = passwordFile == null ? null : store(passwordFile, "--password-file");
            return KeyStorePassword.resolve(store, passwordFile, System.getenv());
        } catch (IOException e) {
            throw new BadInputException((passwordFile == null ? "" : "--password-file: ") + e.getMessage());
        }
    }

    /** Local files through java.nio; any other scheme through Hadoop's client, refused up front if it has no file system. */
    static FileStore store(URI location, String option) throws BadInputException {
        if (Locations.isLocal(location)) {
            return LocalFileStore.INSTANCE;
        }
        try {
            io.redpacket.io.HadoopFileStore store =
                    new io.redpacket.io.HadoopFileStore(new org.apache.hadoop.conf.Configuration());
            store.requireSupported(location);
            return store;
        } catch (IllegalArgumentException e) {
            throw new BadInputException(option + ": " + e.getMessage());
        } catch (LinkageError e) {
            throw new BadInputException(
                    option + ": " + location + ": Hadoop's client is not on the class path here (local paths only)");
        }
    }

    static KeyRing load(URI file, String option, char[] password) throws IOException, BadInputException {
        FileStore store = store(file, option);
        if (!store.exists(file) || store.isDirectory(file)) {
            throw new java.nio.file.NoSuchFileException(
                    Locations.display(file),
                    null,
                    store.exists(file) ? "is a directory, not a key store" : "key store does not exist");
        }
        try {
            return KeyRingStore.load(store, file, password);
        } catch (IOException e) {
            throw new CommandLines.InputFileException(e.getMessage(), e);
        }
    }

    static void save(KeyRing ring, URI file, String option, char[] password) throws IOException, BadInputException {
        KeyRingStore.save(ring, store(file, option), file, password);
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create a key ring with ticket keys 1..N and a token key.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        KeysCommand parent;

        @Option(
                names = "--out",
                required = true,
                converter = Locations.Converter.class,
                description = "Key store to write (refuses to overwrite).")
        URI out;

        @Option(names = "--count", required = true, description = "Number of ticket keys (1..65535).")
        int count;

        @Override
        public Integer call() throws Exception {
            if (store(out, "--out").exists(out)) {
                throw new BadInputException(
                        "--out: " + Locations.display(out) + " already exists; refusing to overwrite a key store");
            }
            if (count < 1 || count > io.redpacket.envelope.EnvelopeLayout.MAX_KEY_ID) {
                throw new BadInputException(
                        "--count: " + count + " (allowed 1.." + io.redpacket.envelope.EnvelopeLayout.MAX_KEY_ID + ")");
            }
            KeyRing ring = KeyRing.generate(count, new SecureRandom());
            save(ring, out, "--out", parent.password());
            System.out.println("wrote " + Locations.display(out) + ": " + ring);
            return CommandLines.OK;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description =
                    "Write the subset of a ring another side may hold: whitelisted ticket keys, or only the token key.")
    static final class Export implements Callable<Integer> {
        @ParentCommand
        KeysCommand parent;

        @Option(
                names = "--in",
                required = true,
                converter = Locations.Converter.class,
                description = "Source key store.")
        URI in;

        @Option(
                names = "--out",
                required = true,
                converter = Locations.Converter.class,
                description = "Key store to write.")
        URI out;

        @Option(names = "--key-ids", description = "Whitelist, e.g. 1-100,205 (default: all).")
        String keyIds;

        @Option(names = "--token-only", description = "Only the token key (for shake-only edges).")
        boolean tokenOnly;

        @Override
        public Integer call() throws Exception {
            KeyRing ring = load(in, "--in", parent.password());
            KeyRing exported;
            if (tokenOnly) {
                exported = ring.tokenOnly();
            } else if (keyIds != null) {
                BitSet allowed = parseRanges(keyIds);
                exported = ring.restrictTo(allowed::get);
            } else {
                exported = ring;
            }
            save(exported, out, "--out", parent.password());
            System.out.println("wrote " + Locations.display(out) + ": " + exported);
            return CommandLines.OK;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Show which key ids a ring holds (never key material).")
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand
        KeysCommand parent;

        @Option(names = "--in", required = true, converter = Locations.Converter.class)
        URI in;

        @Override
        public Integer call() throws Exception {
            System.out.println(Locations.display(in) + ": " + load(in, "--in", parent.password()));
            return CommandLines.OK;
        }
    }

    /**
     * Session keys (the identity service signs logins with the newest; edges verify by key id): a store of their own,
     * separate from the campaign's ticket and token keys. Rotation adds a key that signs from then on while the older
     * ones still verify; retiring a key makes every session it signed invalid at the next start of each verifier.
     */
    @Command(
            name = "session",
            mixinStandardHelpOptions = true,
            description = {
                "Session key ring: create it, rotate (add a new signing key), retire old keys.",
                "  keys session create --out sessions.p12",
                "  keys session rotate --in sessions.p12",
                "  keys session retire --in sessions.p12 --key-ids 1"
            },
            subcommands = {SessionCreate.class, SessionRotate.class, SessionRetire.class})
    static final class Session implements Callable<Integer> {
        @ParentCommand
        KeysCommand parent;

        @Override
        public Integer call() {
            picocli.CommandLine.usage(this, System.out);
            return CommandLines.BAD_INPUT;
        }
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create a session key ring with session key 1.")
    static final class SessionCreate implements Callable<Integer> {
        @ParentCommand
        Session session;

        @Option(
                names = "--out",
                required = true,
                converter = Locations.Converter.class,
                description = "Key store to write (refuses to overwrite).")
        URI out;

        @Override
        public Integer call() throws Exception {
            if (store(out, "--out").exists(out)) {
                throw new BadInputException(
                        "--out: " + Locations.display(out) + " already exists; refusing to overwrite a key store");
            }
            KeyRing ring = KeyRing.generateSessionRing(new SecureRandom());
            save(ring, out, "--out", session.parent.password());
            System.out.println("wrote " + Locations.display(out) + ": " + ring);
            return CommandLines.OK;
        }
    }

    @Command(
            name = "rotate",
            mixinStandardHelpOptions = true,
            description = "Add a session key with the next id; it signs from now on.")
    static final class SessionRotate implements Callable<Integer> {
        @ParentCommand
        Session session;

        @Option(
                names = "--in",
                required = true,
                converter = Locations.Converter.class,
                description = "Session key store, rewritten in place (atomically).")
        URI in;

        @Override
        public Integer call() throws Exception {
            char[] password = session.parent.password();
            KeyRing ring = load(in, "--in", password);
            if (ring.signingSessionKeyId() == 0) {
                throw new BadInputException("--in: " + Locations.display(in)
                        + ": holds no session key (create one with 'keys session create')");
            }
            KeyRing rotated = ring.withRotatedSessionKey(new SecureRandom());
            save(rotated, in, "--in", password);
            System.out.println("wrote " + Locations.display(in) + ": " + rotated);
            return CommandLines.OK;
        }
    }

    @Command(
            name = "retire",
            mixinStandardHelpOptions = true,
            description = "Remove session keys: sessions they signed stop verifying.")
    static final class SessionRetire implements Callable<Integer> {
        @ParentCommand
        Session session;

        @Option(
                names = "--in",
                required = true,
                converter = Locations.Converter.class,
                description = "Session key store, rewritten in place (atomically).")
        URI in;

        @Option(names = "--key-ids", required = true, description = "Session key ids to retire, e.g. 1-3,5.")
        String keyIds;

        @Override
        public Integer call() throws Exception {
            char[] password = session.parent.password();
            KeyRing ring = load(in, "--in", password);
            int[] ids = parseRanges(keyIds).stream().toArray();
            KeyRing retired;
            try {
                retired = ring.withoutSessionKeys(ids);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--key-ids: " + e.getMessage());
            }
            if (retired.signingSessionKeyId() == 0) {
                throw new BadInputException(
                        "--key-ids: would retire every session key of " + Locations.display(in) + "; rotate first");
            }
            save(retired, in, "--in", password);
            System.out.println("wrote " + Locations.display(in) + ": " + retired);
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
                throw new BadInputException("--key-ids: '" + p + "' is not a key id or range within 1.."
                        + io.redpacket.envelope.EnvelopeLayout.MAX_KEY_ID);
            }
        }
        return set;
    }
}
