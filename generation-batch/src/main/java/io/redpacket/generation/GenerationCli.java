package io.redpacket.generation;

import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.cli.CommandLog;
import io.redpacket.generation.plan.VariantPlan;
import io.redpacket.generation.plan.VariantPlanner;
import io.redpacket.generation.spark.ProgressListener;
import io.redpacket.generation.spark.SparkFileRunner;
import io.redpacket.generation.spark.SparkSessions;
import io.redpacket.generation.split.LocalFileRunner;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.KeyAllotment;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyStorePassword;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code redpacket validate|generate}: check a budget and funding script, or turn them into sealed, shuffled
 * envelope files. The same class is the main class of the job jar for {@code spark-submit}.
 *
 * <p>Every path is a location ({@link Locations}: a local path, {@code file://}, {@code hdfs://}, {@code s3a://}) read
 * and written through Hadoop's {@code FileSystem} with the configuration a Spark session of this process gets, so
 * the cluster's {@code core-site.xml} and {@code spark.hadoop.*} settings are the ones used. Inputs, key ring and
 * {@code --out} are checked before Spark starts.
 */
@Command(
        name = "redpacket",
        mixinStandardHelpOptions = true,
        subcommands = {GenerationCli.Validate.class, GenerationCli.Generate.class},
        description = "Prepare a campaign: validate inputs, generate envelope files.")
public final class GenerationCli implements Callable<Integer> {
    private static final String AVRO_TRUSTED = "org.apache.avro.SERIALIZABLE_PACKAGES";
    /** Up to this many envelopes, {@code --runner auto} generates in this JVM: starting Spark would cost more than the work. */
    static final long LOCAL_RUNNER_MAX_ENVELOPES = 2_000_000;

    public static void main(String[] args) {
        // Avro 1.12.2 only (de)serializes trusted generated classes; spark-submit users should not have to know.
        if (System.getProperty(AVRO_TRUSTED) == null) {
            System.setProperty(AVRO_TRUSTED, "io.redpacket.avro");
        }
        // Without a master this is a run by hand. The log file must be chosen before anything (Spark included) logs.
        PrintStream console = null;
        if (!SparkSessions.masterConfigured()) {
            // Engine logs and stray stack traces to a file; the console shows our lines only.
            console = CommandLog.start(args.length > 0 && !args[0].startsWith("-") ? args[0] : "generation");
        }
        CommandLine cl = CommandLines.createLogged(new GenerationCli());
        if (console != null) {
            cl.setErr(new PrintWriter(console, true));
        }
        int code = cl.execute(args);
        System.out.flush();
        System.exit(code);
    }

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }

    /** Options both commands share. */
    static final class Inputs {
        @Option(
                names = "--budget",
                required = true,
                converter = Locations.Converter.class,
                description =
                        "Budget CSV (sponsor_id, sponsor_name, payment_order, envelope_account, funded_fen): a local path, file://, hdfs:// or s3a://.")
        URI budget;

        @Option(
                names = "--script",
                required = true,
                converter = Locations.Converter.class,
                description = "Funding script (YAML or JSON) with one or more variants (local path or URI).")
        URI script;

        @Option(
                names = "--shards",
                defaultValue = "16",
                description = "Edge shards per slot, one file each (default: ${DEFAULT-VALUE}).")
        int shards;

        @Option(
                names = "--key-cap-fen",
                defaultValue = "" + KeyAllotment.DEFAULT_CAP_FEN,
                description = "Most money one key may seal (default: ${DEFAULT-VALUE}).")
        long keyCapFen;

        @Option(
                names = "--first-key-id",
                defaultValue = "1",
                description =
                        "First ticket key id to use; a rerun with fresh keys starts after the last run's (default: ${DEFAULT-VALUE}).")
        int firstKeyId;

        @Option(
                names = "--variant",
                description =
                        "Only this variant (repeatable; default: all). Id and key ranges stay those of the whole script.")
        List<String> variants;

        @Option(
                names = "--password-file",
                converter = Locations.Converter.class,
                description = "File whose first line is the key store password, e.g. owner-only on HDFS (default: env "
                        + KeyStorePassword.ENV + ").")
        URI passwordFile;

        Set<String> variantSet() {
            return variants == null ? Set.of() : new LinkedHashSet<>(variants);
        }

        char[] password(HadoopFileStore store) throws BadInputException {
            try {
                return KeyStorePassword.resolve(store, passwordFile, System.getenv());
            } catch (IOException e) {
                throw new BadInputException((passwordFile != null ? "--password-file: " : "") + e.getMessage());
            }
        }

        /** The file system every location is read and written through; an unknown scheme is refused naming its option. */
        HadoopFileStore store(Object... optionAndLocation) throws BadInputException {
            HadoopFileStore store = new HadoopFileStore(SparkSessions.hadoopConfiguration());
            for (int i = 0; i < optionAndLocation.length; i += 2) {
                URI location = (URI) optionAndLocation[i + 1];
                if (location != null) {
                    try {
                        store.requireSupported(location);
                    } catch (IllegalArgumentException e) {
                        throw new BadInputException(optionAndLocation[i] + ": " + e.getMessage());
                    }
                }
            }
            return store;
        }
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = {
                "Check a budget and funding script (data, logic, capacities) and print what would be generated. Writes nothing.",
                "Exit 0 if valid, 2 with every problem as file:line: field: message."
            })
    static final class Validate implements Callable<Integer> {
        @Mixin
        Inputs in;

        @Option(
                names = "--keys",
                converter = Locations.Converter.class,
                description = "Also check that this key store holds every key id the generation needs.")
        URI keys;

        @Override
        public Integer call() throws Exception {
            HadoopFileStore store = in.store(
                    "--budget", in.budget, "--script", in.script, "--keys", keys, "--password-file", in.passwordFile);
            List<VariantPlan> plans = Generation.plan(
                            store,
                            in.budget,
                            in.script,
                            in.shards,
                            0,
                            in.keyCapFen,
                            in.firstKeyId,
                            VariantPlanner.DEFAULT_BLOCK_SIZE,
                            in.variantSet())
                    .plans();
            for (VariantPlan p : plans) {
                System.out.printf(
                        "variant %s: %,d batches, %,d envelopes, %,d fen, %,d files (%d shards x %d slots), key ids %d..%d%n",
                        p.variant(),
                        p.batches().size(),
                        p.envelopeCount(),
                        p.amountFen(),
                        p.files().size(),
                        p.shards(),
                        p.plan().getSlots().size(),
                        p.firstKeyId(),
                        p.nextKeyId() - 1);
            }
            if (keys != null) {
                KeyRing ring = Generation.loadRing(store, keys, in.password(store));
                Generation.checkRing(ring, keys, plans);
                System.out.println(
                        "key store " + Locations.display(keys) + ": " + ring + " covers every key id needed");
            }
            System.out.println("valid: " + Locations.display(in.budget) + ", " + Locations.display(in.script));
            return CommandLines.OK;
        }
    }

    @Command(
            name = "generate",
            mixinStandardHelpOptions = true,
            description = {
                "Generate sealed, shuffled envelope files, manifests, batch config, key ring exports and a report per variant.",
                "Inputs, key ring and --out are checked first; then the files are written on the configured Spark master (spark-submit),",
                "local[*] when none is set, or in this JVM for small campaigns (--runner auto).",
                "Output is verified (every file read back) and published atomically: renamed into place on local disk and HDFS,",
                "made visible by a _COMMITTED marker written last in every variant on S3. An existing --out is never overwritten."
            })
    static final class Generate implements Callable<Integer> {
        @Mixin
        Inputs in;

        @Option(
                names = "--keys",
                required = true,
                converter = Locations.Converter.class,
                description = "Sealing key store (PKCS#12 from bin/redpacket keys create), local path or URI.")
        URI keys;

        @Option(
                names = "--out",
                required = true,
                converter = Locations.Converter.class,
                description =
                        "Output directory (must not exist): a local path, file://, hdfs:// or s3a://; one subdirectory per variant.")
        URI out;

        @Option(
                names = "--seed",
                defaultValue = "1",
                description =
                        "Seed of every random choice: same inputs and seed, same bytes (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(
                names = "--partitions",
                defaultValue = "0",
                description = "Spark tasks; 0 = one per file (default: ${DEFAULT-VALUE}). Does not change the output.")
        int partitions;

        @Option(
                names = "--runner",
                defaultValue = "auto",
                description = "auto (Spark under spark-submit or above " + LOCAL_RUNNER_MAX_ENVELOPES
                        + " envelopes, else this JVM), spark, or local (this JVM, one thread)."
                        + " The output is the same byte for byte (default: ${DEFAULT-VALUE}).")
        String runner;

        @Option(
                names = "--block-size",
                defaultValue = "" + VariantPlanner.DEFAULT_BLOCK_SIZE,
                hidden = true,
                description = "Records shuffled together (memory ~12 bytes each per task).")
        int blockSize;

        @Override
        public Integer call() throws Exception {
            if (blockSize < 1) {
                throw new BadInputException("--block-size: " + blockSize + " (must be positive)");
            }
            if (!List.of("auto", "spark", "local").contains(runner)) {
                throw new BadInputException("--runner: " + runner + " (auto, spark or local)");
            }
            HadoopFileStore store = in.store(
                    "--budget",
                    in.budget,
                    "--script",
                    in.script,
                    "--keys",
                    keys,
                    "--out",
                    out,
                    "--password-file",
                    in.passwordFile);
            Generation.Options o = new Generation.Options(
                    in.budget,
                    in.script,
                    keys,
                    in.password(store),
                    out,
                    in.shards,
                    seed,
                    in.keyCapFen,
                    in.firstKeyId,
                    blockSize,
                    in.variantSet());
            Generation.Prepared prepared = Generation.prepare(o, store, System.out);
            boolean spark = runner.equals("spark")
                    || runner.equals("auto")
                            && (SparkSessions.masterConfigured()
                                    || prepared.envelopeCount() > LOCAL_RUNNER_MAX_ENVELOPES);
            if (!spark) {
                System.out.println("runner: this JVM"
                        + (runner.equals("auto") ? " (small campaign; --runner spark to use Spark)" : ""));
                Generation.generate(prepared, store, new LocalFileRunner(store), System.out);
                return CommandLines.OK;
            }
            SparkSession session = SparkSessions.forCommandLine("redpacket-generate");
            try {
                session.sparkContext().addSparkListener(new ProgressListener(System.out));
                System.out.println(
                        "runner: Spark, master " + session.sparkContext().master());
                // From here on the session's own Hadoop configuration, as its tasks get it.
                HadoopFileStore sessionStore =
                        new HadoopFileStore(session.sparkContext().hadoopConfiguration());
                Generation.generate(prepared, sessionStore, new SparkFileRunner(session, partitions), System.out);
            } finally {
                session.stop();
            }
            return CommandLines.OK;
        }
    }
}
