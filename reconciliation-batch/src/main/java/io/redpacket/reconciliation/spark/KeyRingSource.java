package io.redpacket.reconciliation.spark;

import io.redpacket.cli.BadInputException;
import io.redpacket.envelope.TicketOpener;
import io.redpacket.io.EnvelopeFiles;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.keys.KeyStorePassword;
import io.redpacket.keys.SealingKeys;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkConf;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * How the tasks that decrypt envelope files get the open ring's ticket keys. The password never travels with a
 * task, nor on a command line, nor in the Spark configuration.
 *
 * <ul>
 *   <li>{@link FromStore}: with a password file, each executor reads the key store and the password file itself
 *       through the distributed file system (both owner-only on HDFS or S3), so no key material crosses Spark's
 *       network. A loaded ring is cached per JVM: PBKDF2 over hundreds of entries runs once per executor.</li>
 *   <li>{@link Broadcasted}: with the password in the driver's environment only, the driver loads the ring and
 *       broadcasts the ticket keys. Allowed in local mode (one JVM), and on a cluster only when Spark authenticates
 *       and encrypts its connections ({@code spark.authenticate} and {@code spark.network.crypto.enabled}).</li>
 * </ul>
 */
public sealed interface KeyRingSource extends Serializable {

    /** In a task: the ring's ticket keys. */
    KeyRing load() throws IOException;

    default TicketOpener opener() throws IOException {
        // Empty blacklist on purpose: a blacklisted key's envelopes are still money in the files.
        return new TicketOpener(load(), KeyBlacklist.of());
    }

    record FromStore(String keyStore, String passwordFile, TaskFiles files) implements KeyRingSource {
        private static final Map<String, KeyRing> CACHE = new ConcurrentHashMap<>();

        @Override
        public KeyRing load() throws IOException {
            io.redpacket.io.HadoopFileStore store = files.store();
            URI storeUri = URI.create(keyStore);
            // Keyed by content, so a key store rewritten at the same place is never served from a stale cache.
            String key = keyStore + "|" + passwordFile + "|" + EnvelopeFiles.checksum(store.readAllBytes(storeUri));
            KeyRing cached = CACHE.get(key);
            if (cached != null) {
                return cached;
            }
            char[] password = KeyStorePassword.resolve(store, URI.create(passwordFile), Map.of());
            try {
                KeyRing ring = KeyRingStore.load(store, storeUri, password);
                CACHE.put(key, ring);
                return ring;
            } finally {
                Arrays.fill(password, '\0');
            }
        }
    }

    record Broadcasted(Broadcast<SealingKeys> keys) implements KeyRingSource {
        @Override
        public KeyRing load() {
            return keys.value().toRing();
        }
    }

    /**
     * The source for this run. {@code ring} was loaded by the driver (which checks the password before any task
     * runs); {@code passwordFile} is null when the password came from the environment.
     *
     * @throws BadInputException naming the settings, when keys would cross an unprotected network
     */
    static KeyRingSource forRun(SparkSession spark, URI keyStore, URI passwordFile, KeyRing ring)
            throws BadInputException {
        if (passwordFile != null) {
            return new FromStore(keyStore.toString(), passwordFile.toString(), TaskFiles.of(spark));
        }
        requireProtectedTransport(spark.sparkContext().getConf());
        return new Broadcasted(spark.sparkContext()
                .broadcast(SealingKeys.of(ring, id -> true), scala.reflect.ClassTag$.MODULE$.apply(SealingKeys.class)));
    }

    /** Ticket keys may be broadcast in one JVM, or over connections Spark authenticates and encrypts. */
    static void requireProtectedTransport(SparkConf conf) throws BadInputException {
        if (!isLocal(conf.get("spark.master", "local")) && !networkProtected(conf)) {
            throw new BadInputException("--password-file: required on a cluster unless spark.authenticate=true and"
                    + " spark.network.crypto.enabled=true (with the password from " + KeyStorePassword.ENV
                    + " only, the driver"
                    + " sends the ticket keys to the executors, which needs an authenticated, encrypted network)");
        }
    }

    /** One JVM: {@code local}, {@code local[n]}, {@code local[n,f]}; not {@code local-cluster}, whose executors are processes. */
    static boolean isLocal(String master) {
        return master.equals("local") || master.startsWith("local[");
    }

    static boolean networkProtected(SparkConf conf) {
        return conf.getBoolean("spark.authenticate", false) && conf.getBoolean("spark.network.crypto.enabled", false);
    }
}
