package io.redpacket.flinkcluster.testjob;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Appends each record as a line to a file of its own per subtask attempt under a directory that the test reads
 * (every TaskManager of the local cluster sees the same disk). Flushed per record, so the test sees what the job
 * processed up to the moment it stopped; not transactional, so a restart would show as duplicates.
 */
public final class LinesSink implements Sink<String> {
    private final String dir;

    public LinesSink(String dir) {
        this.dir = dir;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) throws IOException {
        TaskInfo task = context.getTaskInfo();
        Path file = Path.of(dir)
                .resolve("part-" + task.getIndexOfThisSubtask() + "-" + task.getAttemptNumber() + "-"
                        + UUID.randomUUID() + ".txt");
        Files.createDirectories(file.getParent());
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        return new SinkWriter<>() {
            @Override
            public void write(String line, Context ctx) throws IOException {
                out.write(line);
                out.newLine();
                out.flush();
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }
}
