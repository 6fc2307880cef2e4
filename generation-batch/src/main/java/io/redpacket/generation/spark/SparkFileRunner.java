package io.redpacket.generation.spark;

import io.redpacket.envelope.TicketSealer;
import io.redpacket.generation.plan.FileResult;
import io.redpacket.generation.plan.FileRunner;
import io.redpacket.generation.plan.FileTask;
import io.redpacket.generation.split.FileGenerator;
import io.redpacket.keys.SealingKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark job: one Spark task per group of envelope files; each file is generated whole by one task from its
 * {@link FileTask} and written directly, and only its manifest comes back to the driver. No shuffle: the deal
 * was planned on the driver, and the randomness is keyed, so the bytes do not depend on the partition count,
 * on which executor runs a task, or on retries (a retry rewrites the same bytes, atomically).
 *
 * <p>{@code --out} must be a file system every executor sees at the same path (local disk with a local
 * master, a shared mount on a cluster).
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
    public List<FileResult> run(List<FileTask> tasks, SealingKeys keys, Path root) throws IOException {
        if (tasks.isEmpty()) {
            return List.of();
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SealingKeys> sealing = jsc.broadcast(keys);
        int n = partitions > 0 ? Math.min(partitions, tasks.size()) : tasks.size();
        Dataset<FileTask> input = spark.createDataset(jsc.parallelize(tasks, n).rdd(), TASK);
        try {
            return generate(input, sealing, root.toAbsolutePath().toString()).collectAsList();
        } finally {
            sealing.destroy();
        }
    }

    /** File tasks in, what each wrote out. */
    public static Dataset<FileResult> generate(Dataset<FileTask> tasks, Broadcast<SealingKeys> keys, String root) {
        return tasks.mapPartitions((MapPartitionsFunction<FileTask, FileResult>) it -> writeAll(it, keys.value(), root), RESULT);
    }

    private static Iterator<FileResult> writeAll(Iterator<FileTask> tasks, SealingKeys keys, String root) {
        FileGenerator generator = new FileGenerator(new TicketSealer(keys.toRing()));
        Path rootPath = Paths.get(root);
        List<FileResult> out = new ArrayList<>();
        while (tasks.hasNext()) {
            FileTask t = tasks.next();
            try {
                out.add(generator.generate(t, rootPath.resolve(t.variant)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + t.fileName + " of variant " + t.variant, e);
            }
        }
        return out.iterator();
    }
}
