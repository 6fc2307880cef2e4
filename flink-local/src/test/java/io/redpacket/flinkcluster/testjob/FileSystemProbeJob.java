package io.redpacket.flinkcluster.testjob;

import java.net.URI;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Resolves a URI through Flink's FileSystem in the client (the job's main) and in one task per slot, and reports
 * the implementation found: lines "pid,class,distributed" to {@link LinesSink} from the tasks, and one line
 * "client: class" on standard output. Also prints the length of REDPACKET_PROBE_SECRET, an environment variable the
 * client gets from the caller (never its value).
 *
 * <p>Arguments: URI to resolve, output directory, parallelism.
 */
public final class FileSystemProbeJob {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        String secret = System.getenv("REDPACKET_PROBE_SECRET");
        System.out.println(
                "client: " + FileSystem.getUnguardedFileSystem(uri).getClass().getName());
        System.out.println("client secret length: " + (secret == null ? -1 : secret.length()));
        int parallelism = Integer.parseInt(args[2]);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // Element i goes to probe subtask i: a rebalance does not promise that (a source reader may read several
        // splits,
        // and each sender starts its round robin at a random channel), and then two probes can share one TaskManager.
        env.fromSequence(0, parallelism - 1)
                .name("one-per-subtask")
                .uid("one-per-subtask")
                .setParallelism(parallelism)
                .partitionCustom((Partitioner<Long>) (i, subtasks) -> (int) (i % subtasks), i -> i)
                .map(new Probe(args[0]))
                .returns(Types.STRING)
                .name("probe")
                .uid("probe")
                .setParallelism(parallelism)
                .sinkTo(new LinesSink(args[1]))
                .name("lines")
                .uid("lines")
                .setParallelism(parallelism);
        env.execute("file-system-probe");
    }

    static final class Probe extends RichMapFunction<Long, String> {
        private final String uri;

        Probe(String uri) {
            this.uri = uri;
        }

        @Override
        public String map(Long ignored) throws Exception {
            FileSystem fs = FileSystem.getUnguardedFileSystem(URI.create(uri));
            return ProcessHandle.current().pid() + "," + fs.getClass().getName() + "," + fs.isDistributedFS();
        }
    }
}
