package io.redpacket.generation.plan;

import io.redpacket.keys.SealingKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Runs file tasks somewhere (a Spark cluster, or this JVM) and returns what each wrote, in any order. */
public interface FileRunner {
    /** Writes every task's file under {@code root.resolve(task.variant)}. */
    List<FileResult> run(List<FileTask> tasks, SealingKeys keys, Path root) throws IOException;
}
