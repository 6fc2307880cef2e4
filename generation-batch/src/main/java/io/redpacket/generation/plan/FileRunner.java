package io.redpacket.generation.plan;

import io.redpacket.keys.SealingKeys;
import java.io.IOException;
import java.net.URI;
import java.util.List;

/**
 * Runs file tasks somewhere (a Spark cluster, or this JVM) and reads what they published back, through the file
 * system of the locations it is given (local disk, HDFS, S3).
 */
public interface FileRunner {
    /** Writes every task's file under {@code root/<task.variant>/}; returns what each wrote, in any order. */
    List<FileResult> run(List<FileTask> tasks, SealingKeys keys, URI root) throws IOException;

    /**
     * Reads every file back where it is, whole: one line per file that is missing, has another size or another
     * checksum ({@link ExpectedFile#check}); empty when every file is as expected.
     */
    List<String> verify(List<ExpectedFile> files) throws IOException;
}
