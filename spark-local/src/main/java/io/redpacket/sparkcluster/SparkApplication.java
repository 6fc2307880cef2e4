package io.redpacket.sparkcluster;

import io.redpacket.hadoop.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;

/** A running {@code spark-submit} (client mode: the driver runs in this process), started by the cluster. */
public final class SparkApplication {
    private final ChildJvm process;

    SparkApplication(ChildJvm process) {
        this.process = process;
    }

    /** What the run printed (stdout and stderr, the driver's log included) and how it ended. */
    public record Result(int exitCode, String output, Path logFile) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /** Waits for spark-submit to exit; kills it (and fails) after {@code timeout}. */
    public Result waitFor(Duration timeout) throws IOException, InterruptedException {
        OptionalInt exit = process.waitFor(timeout);
        if (exit.isEmpty()) {
            process.kill();
            throw new IOException("spark-submit still running after " + timeout.toSeconds() + " s, killed; log "
                    + process.logFile() + ":\n" + process.tail(60));
        }
        return new Result(
                exit.getAsInt(), Files.readString(process.logFile(), StandardCharsets.UTF_8), process.logFile());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return process.logFile();
    }

    /** Stops the driver as Ctrl-C would (SIGTERM; the application's executors are released). */
    public void stop() {
        process.stop(Duration.ofSeconds(30));
    }
}
