package io.redpacket.generation;

import io.redpacket.cli.BadInputException;
import io.redpacket.cli.CommandLines;
import io.redpacket.generation.plan.FileRunner;
import io.redpacket.generation.plan.VariantPlan;
import io.redpacket.generation.plan.VariantPlanner;
import io.redpacket.generation.spark.ProgressListener;
import io.redpacket.generation.spark.SparkFileRunner;
import io.redpacket.generation.spark.SparkSessions;
import io.redpacket.generation.split.LocalFileRunner;
import io.redpacket.keys.KeyAllotment;
import io.redpacket.keys.KeyRing;
import io.redpacket.keys.KeyStorePassword;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code redpacket validate|generate}: check a budget and funding script, or turn them into sealed, shuffled
 * envelope files. The same class is the main class of the job jar for {@code spark-submit}.
 */
@Command(name = "redpacket", mixinStandardHelpOptions = true,
        subcommands = {GenerationCli.Validate.class, GenerationCli.Generate.class},
        description = "Prepare a campaign: validate inputs, generate envelope files.")
public final class GenerationCli implements Callable<Integer> {
    private static final String AVRO_TRUSTED = "org.apache.avro.SERIALIZABLE_PACKAGES";
    public static void main(String[] args) {
        // Avro 1.12 only (de)serializes trusted generated classes; spark-submit users should not have to know.
        if (System.getProperty(AVRO_TRUSTED) == null) {
            System.setProperty(AVRO_TRUSTED, "io.redpacket.avro");
        }
        System.exit(CommandLines.execute(new GenerationCli(), args));
    }

    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return CommandLines.BAD_INPUT;
    }

    /** Options both commands share. */
    static final class Inputs {
        @Option(names = "--budget", required = true, description = "Budget CSV (sponsor_id, sponsor_name, payment_order, envelope_account, funded_fen).")
        Path budget;
        @Option(names = "--script", required = true, description = "Funding script (YAML or JSON) with one or more variants.")
        Path script;
        @Option(names = "--shards", defaultValue = "16", description = "Edge shards per slot, one file each (default: ${DEFAULT-VALUE}).")
        int shards;
        @Option(names = "--key-cap-fen", defaultValue = "" + KeyAllotment.DEFAULT_CAP_FEN, description = "Most money one key may seal (default: ${DEFAULT-VALUE}).")
        long keyCapFen;
        @Option(names = "--first-key-id", defaultValue = "1", description = "First ticket key id to use; a rerun with fresh keys starts after the last run's (default: ${DEFAULT-VALUE}).")
        int firstKeyId;
        @Option(names = "--variant", description = "Only this variant (repeatable; default: all). Id and key ranges stay those of the whole script.")
        List<String> variants;
        @Option(names = "--password-file", description = "File whose first line is the key store password (default: env " + KeyStorePassword.ENV + ").")
        Path passwordFile;

        Set<String> variantSet() {
            return variants == null ? Set.of() : new LinkedHashSet<>(variants);
        }

        char[] password() throws BadInputException {
            try {
                return KeyStorePassword.resolve(passwordFile, System.getenv());
            } catch (IOException e) {
                throw new BadInputException("--password-file: " + e.getMessage());
            }
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Check a budget and funding script (data, logic, capacities) and print what would be generated. Writes nothing.",
                    "Exit 0 if valid, 2 with every problem as file:line: field: message."})
    static final class Validate implements Callable<Integer> {
        @Mixin Inputs in;
        @Option(names = "--keys", description = "Also check that this key store holds every key id the generation needs.")
        Path keys;

        @Override
        public Integer call() throws Exception {
            List<VariantPlan> plans = Generation.plan(in.budget, in.script, in.shards, 0, in.keyCapFen, in.firstKeyId,
                    VariantPlanner.DEFAULT_BLOCK_SIZE, in.variantSet()).plans();
            for (VariantPlan p : plans) {
                System.out.printf("variant %s: %,d batches, %,d envelopes, %,d fen, %,d files (%d shards x %d slots), key ids %d..%d%n",
                        p.variant(), p.batches().size(), p.envelopeCount(), p.amountFen(), p.files().size(), p.shards(),
                        p.plan().getSlots().size(), p.firstKeyId(), p.nextKeyId() - 1);
            }
            if (keys != null) {
                KeyRing ring = Generation.loadRing(keys, in.password());
                Generation.checkRing(ring, keys, plans);
                System.out.println("key store " + keys + ": " + ring + " covers every key id needed");
            }
            System.out.println("valid: " + in.budget + ", " + in.script);
            return CommandLines.OK;
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Generate sealed, shuffled envelope files, manifests, batch config, key ring exports and a report per variant.",
                    "Runs on the configured Spark master (spark-submit), or local[*] when none is set.",
                    "Output appears atomically; an existing --out is never overwritten."})
    static final class Generate implements Callable<Integer> {
        @Mixin Inputs in;
        @Option(names = "--keys", required = true, description = "Sealing key store (PKCS#12 from bin/redpacket keys create).")
        Path keys;
        @Option(names = "--out", required = true, description = "Output directory (must not exist); one subdirectory per variant.")
        Path out;
        @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice: same inputs and seed, same bytes (default: ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--partitions", defaultValue = "0", description = "Spark tasks; 0 = one per file (default: ${DEFAULT-VALUE}). Does not change the output.")
        int partitions;
        @Option(names = "--runner", defaultValue = "spark", description = "spark, or local (this JVM, one thread; small campaigns) (default: ${DEFAULT-VALUE}).")
        String runner;
        @Option(names = "--block-size", defaultValue = "" + VariantPlanner.DEFAULT_BLOCK_SIZE, hidden = true,
                description = "Records shuffled together (memory ~12 bytes each per task).")
        int blockSize;

        @Override
        public Integer call() throws Exception {
            if (blockSize < 1) {
                throw new BadInputException("--block-size: " + blockSize + " (must be positive)");
            }
            Generation.Options o = new Generation.Options(in.budget, in.script, keys, in.password(), out, in.shards, seed, in.keyCapFen,
                    in.firstKeyId, blockSize, in.variantSet());
            switch (runner) {
                case "local" -> Generation.run(o, new LocalFileRunner(), System.out);
                case "spark" -> {
                    SparkSession spark = SparkSessions.forCommandLine("redpacket-generate");
                    try {
                        spark.sparkContext().addSparkListener(new ProgressListener(System.out));
                        FileRunner r = new SparkFileRunner(spark, partitions);
                        Generation.run(o, r, System.out);
                    } finally {
                        spark.stop();
                    }
                }
                default -> throw new BadInputException("--runner: " + runner + " (spark or local)");
            }
            return CommandLines.OK;
        }
    }
}
