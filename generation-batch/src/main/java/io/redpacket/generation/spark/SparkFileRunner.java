package io.redpacket.generation.spark;

import io.redpacket.cli.CommandLines;
import io.redpacket.envelope.TicketSealer;
import io.redpacket.generation.plan.ExpectedFile;
import io.redpacket.generation.plan.FileResult;
import io.redpacket.generation.plan.FileRunner;
import io.redpacket.generation.plan.FileTask;
import io.redpacket.generation.split.FileGenerator;
import io.redpacket.io.HadoopFileStore;
import io.redpacket.io.Locations;
import io.redpacket.keys.SealingKeys;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The Spark job: one Spark task per group of envelope files; each file is generated whole by one task from its
 * {@link FileTask} and written through Hadoop's {@code FileSystem} (HDFS, S3, local disk) with the session's
 * Hadoop configuration, broadcast to the executors as Spark SQL does for its own writes; only manifests come back
 * to the driver. No shuffle: the deal was planned on the driver, and the randomness is keyed, so the bytes do not
 * depend on the partition count, on which executor runs a task, or on retries (a retry rewrites the same bytes,
 * whole or not at all).
 *
 * <p>{@link #verify} is a second pass over the published files, on the executors, reading every byte back.
 */
public final class SparkFileRunner implements FileRunner {
    private static final Encoder<FileTask> TASK = Encoders.javaSerialization(FileTask.class);
    private static final Encoder<FileResult> RESULT = Encoders.javaSerialization(FileResult.class);

    private final SparkSession spark;
    private final int partitions;

    /** {@code partitions <= 0}: one Spark task per file. */
    public SparkFileRunner(SparkSession spark, int partitions) {
        this.spark = spark;
        this.partitions = partitions;
    }

    @Override
    public List<FileResult> run(List<FileTask> tasks, SealingKeys keys, URI root) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SealingKeys> sealing = jsc.broadcast(keys);
        Broadcast<SerializableConfiguration> conf = hadoopConf(jsc);
        int n = partitions > 0 ? Math.min(partitions, tasks.size()) : tasks.size();
        Dataset<FileTask> input = spark.createDataset(jsc.parallelize(tasks, n).rdd(), TASK);
        try {
            return generate(input, sealing, conf, root.toString()).collectAsList();
        } finally {
            sealing.destroy();
            conf.destroy();
        }
    }

    /** File tasks in, what each wrote out. */
    public static Dataset<FileResult> generate(
            Dataset<FileTask> tasks,
            Broadcast<SealingKeys> keys,
            Broadcast<SerializableConfiguration> conf,
            String root) {
        return tasks.mapPartitions(
                (MapPartitionsFunction<FileTask, FileResult>) it -> writeAll(it, keys.value(), conf.value(), root),
                RESULT);
    }

    private static Iterator<FileResult> writeAll(
            Iterator<FileTask> tasks, SealingKeys keys, SerializableConfiguration conf, String root)
            throws IOException {
        FileGenerator generator = new FileGenerator(new TicketSealer(keys.toRing()));
        HadoopFileStore store = new HadoopFileStore(conf.value());
        URI rootUri = URI.create(root);
        List<FileResult> out = new ArrayList<>();
        while (tasks.hasNext()) {
            FileTask t = tasks.next();
            URI dir = Locations.child(rootUri, t.variant);
            try {
                out.add(generator.generate(t, store, dir));
            } catch (IOException | RuntimeException e) {
                // Named so the one line the user reads says which file and which executor (Spark keeps it as the job's
                // cause).
                throw new CommandLines.LocatedFailure(
                        "cannot write " + Locations.display(Locations.child(dir, t.fileName)) + " on executor "
                                + executor() + ": " + e.getMessage(),
                        e);
            }
        }
        return out.iterator();
    }

    /** Reads every file back on the executors (one task per group of files), where the edges and settlement will read it. */
    @Override
    public List<String> verify(List<ExpectedFile> files) {
        if (files.isEmpty()) {
            return List.of();
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SerializableConfiguration> conf = hadoopConf(jsc);
        int n = Math.min(files.size(), Math.max(1, 4 * jsc.defaultParallelism()));
        try {
            return jsc.parallelize(files, n)
                    .mapPartitions((FlatMapFunction<Iterator<ExpectedFile>, String>) it -> {
                        HadoopFileStore store = new HadoopFileStore(conf.value().value());
                        List<String> problems = new ArrayList<>();
                        while (it.hasNext()) {
                            String p = it.next().check(store);
                            if (p != null) {
                                problems.add(p + " (read on executor " + executor() + ")");
                            }
                        }
                        return problems.iterator();
                    })
                    .collect();
        } finally {
            conf.destroy();
        }
    }

    private Broadcast<SerializableConfiguration> hadoopConf(JavaSparkContext jsc) {
        return jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
    }

    private static String executor() {
        SparkEnv env = SparkEnv.get();
        return env == null
                ? "?"
                : env.executorId() + " (" + env.blockManager().blockManagerId().host() + ")";
    }
}
