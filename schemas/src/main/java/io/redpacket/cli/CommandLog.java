package io.redpacket.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where a command run by hand keeps what is not for the console: the engines' logs and every stack trace.
 * The console then shows the command's own lines only: progress, the result, or one line saying what failed.
 *
 * <p>{@link #start} picks the file ({@code REDPACKET_LOG}, else {@code <tmpdir>/redpacket-logs/<command>-<time>-<pid>.log})
 * and publishes it as the system property {@value #PROPERTY}, which the module's {@code log4j2.properties}
 * reads, so it must run before anything logs. It also sends {@link System#err} to that file: Spark and Scala print
 * some errors straight to it (a rejected callback while the context shuts down is printed by Scala's
 * {@code ExecutionContext} reporter, bypassing any logging configuration), and a successful run must not show a
 * stack trace. The file is created only when something is written to it.
 *
 * <p>Under spark-submit nothing is redirected: the cluster's logging configuration decides where logs go.
 */
public final class CommandLog {
    public static final String PROPERTY = "redpacket.log.file";
    public static final String ENV = "REDPACKET_LOG";

    private static volatile Path file;
    private static volatile PrintStream console = System.err;

    private CommandLog() {}

    /** Sets up the log of a run of {@code command}; returns the console's error stream for the command's own messages. */
    public static synchronized PrintStream start(String command) {
        String configured = System.getenv(ENV);
        Path f = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(
                        System.getProperty("java.io.tmpdir"),
                        "redpacket-logs",
                        command + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                                + ProcessHandle.current().pid() + ".log");
        file = f.toAbsolutePath();
        System.setProperty(PROPERTY, file.toString());
        console = System.err;
        System.setErr(new PrintStream(new LazyFile(file), true, StandardCharsets.UTF_8));
        return console;
    }

    /** The log file of this run, or null when {@link #start} was not called (spark-submit, tests). */
    public static Path file() {
        return file;
    }

    /** The console's error stream (the real stderr, also after {@link #start}). */
    public static PrintStream console() {
        return console;
    }

    /** Appends to the file, creating it and its directory on the first byte. */
    private static final class LazyFile extends OutputStream {
        private final Path path;
        private OutputStream out;

        LazyFile(Path path) {
            this.path = path;
        }

        private OutputStream out() throws IOException {
            if (out == null) {
                Files.createDirectories(path.getParent());
                out = new FileOutputStream(path.toFile(), true);
            }
            return out;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            out().write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            out().write(b, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            if (out != null) {
                out.flush();
            }
        }
    }
}
