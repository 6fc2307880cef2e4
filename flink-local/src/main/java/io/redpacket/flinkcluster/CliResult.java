package io.redpacket.flinkcluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of the flink command line: its arguments, exit code and everything it printed (stdout and stderr, also
 * kept in {@code outputFile}). The job id and savepoint path are read from the lines Flink's CliFrontend prints.
 */
public record CliResult(List<String> arguments, int exitCode, String output, Path outputFile) {
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** "Job has been submitted with JobID ..." (flink run -d). */
    public Optional<String> jobId() {
        return find(JOB_ID);
    }

    /** "Savepoint completed. Path: ..." (flink stop, flink savepoint). */
    public Optional<String> savepointPath() {
        return find(SAVEPOINT);
    }

    /** This result if the command exited 0; otherwise an exception carrying the command's output. */
    public CliResult requireSuccess() {
        if (!succeeded()) {
            throw new IllegalStateException(describe("exited with code " + exitCode));
        }
        return this;
    }

    String describe(String what) {
        return "flink " + String.join(" ", arguments) + " " + what + "; output (" + outputFile + "):\n" + output;
    }

    private Optional<String> find(Pattern p) {
        Matcher m = p.matcher(output);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
