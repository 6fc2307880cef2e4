package io.redpacket.hadoop;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * One server process of a local fixture: a child JVM started from a class path recorded at build time, its output
 * appended to a log file, killed when this JVM exits (shutdown hook) and also when this JVM dies without running
 * its hooks (see {@link ChildMain}). Stopping it also kills the processes it started and left behind (a Spark
 * worker's executors).
 */
public final class ChildJvm {
    private final String name;
    private final Path logFile;
    private final Process process;
    private final Thread shutdownHook;

    private ChildJvm(String name, Path logFile, Process process) {
        this.name = name;
        this.logFile = logFile;
        this.process = process;
        this.shutdownHook = new Thread(this::killTree, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        // A process that ended by itself needs no hook (a long run starts many short spark-submits).
        process.onExit().thenRun(this::removeHook);
    }

    public static Builder builder(String name, Path logFile) {
        return new Builder(name, logFile);
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** Waits for the process to end by itself; the exit code, or empty on time-out. */
    public OptionalInt waitFor(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(process.exitValue())
                : OptionalInt.empty();
    }

    /**
     * Stops the process with SIGTERM (its shutdown hooks run), SIGKILL after {@code grace}; then kills whatever it
     * started that is still alive.
     */
    public void stop(Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        killAll(descendants);
        removeHook();
    }

    /** Kills the process and its descendants at once (SIGKILL), as a crash of the machine would. */
    public void kill() {
        killTree();
        removeHook();
    }

    /** A readiness probe: true when ready, false (or an exception, kept for the message) when not yet. */
    @FunctionalInterface
    public interface Probe {
        boolean ready() throws Exception;
    }

    /**
     * Polls {@code probe} until it says ready. Fails with an exception naming the log file (and quoting its tail)
     * when the process exits first or the time-out passes; on time-out the process is killed.
     */
    public void awaitReady(String what, Duration timeout, Probe probe) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                removeHook();
                throw new IOException(what + " exited with code " + process.exitValue() + " before it was ready; log "
                        + logFile + ":\n" + tail(40));
            }
            try {
                if (probe.ready()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + what, e);
            }
        }
        kill();
        throw new IOException(what + " not ready after " + timeout.toSeconds() + " s"
                + (last == null ? "" : " (" + last + ")") + "; log " + logFile + ":\n" + tail(40));
    }

    /** The last lines of the log, for error messages. */
    public String tail(int lines) {
        return tail(logFile, lines);
    }

    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The class path recorded at build time in the resource {@code resource} next to {@code anchor}. */
    public static String recordedClasspath(Class<?> anchor, String resource) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " missing next to " + anchor.getName()
                        + "; build the module with Maven (it records the server's class path)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jar or class directory a class was loaded from. */
    public static Path codeSource(Class<?> type) {
        try {
            return Path.of(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot locate the jar of " + type.getName(), e);
        }
    }

    private void killTree() {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        killAll(descendants);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void killAll(List<ProcessHandle> processes) {
        for (ProcessHandle p : processes) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : processes) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Best effort: a process that does not die within 10 s after SIGKILL is beyond our reach.
            }
        }
    }

    private void removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // JVM already shutting down: the hook runs anyway.
        }
    }

    /** What to start: a main class with its class path, heap, JVM flags, arguments and environment. */
    public static final class Builder {
        private final String name;
        private final Path logFile;
        private final List<String> classpath = new ArrayList<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String heap = "256m";
        private String mainClass;
        private Path directory;

        private Builder(String name, Path logFile) {
            this.name = name;
            this.logFile = logFile;
        }

        /** Appends class path entries (a recorded path with {@code :} separators is taken whole). */
        public Builder classpath(String entries) {
            classpath.add(entries);
            return this;
        }

        public Builder heap(String maxHeap) {
            this.heap = maxHeap;
            return this;
        }

        public Builder jvmArgs(List<String> flags) {
            jvmArgs.addAll(flags);
            return this;
        }

        public Builder jvmArg(String flag) {
            jvmArgs.add(flag);
            return this;
        }

        public Builder mainClass(String className, List<String> arguments) {
            this.mainClass = className;
            args.addAll(arguments);
            return this;
        }

        /** Adds to the environment inherited from this JVM (secrets go here, never into arguments). */
        public Builder env(Map<String, String> variables) {
            env.putAll(variables);
            return this;
        }

        public Builder directory(Path dir) {
            this.directory = dir;
            return this;
        }

        /** The command line, as {@code ps} would show it. */
        public List<String> command() {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx" + heap);
            cmd.addAll(jvmArgs);
            cmd.add("-cp");
            List<String> cp = new ArrayList<>(classpath);
            cp.add(codeSource(ChildMain.class).toString());
            cmd.add(String.join(File.pathSeparator, cp));
            cmd.add(ChildMain.class.getName());
            cmd.add(mainClass);
            cmd.addAll(args);
            return cmd;
        }

        public ChildJvm start() throws IOException {
            if (mainClass == null) {
                throw new IllegalStateException("no main class for " + name);
            }
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            ProcessBuilder pb = new ProcessBuilder(command())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            pb.environment().putAll(env);
            if (directory != null) {
                pb.directory(directory.toFile());
            }
            // Standard input stays a pipe that is never written: ChildMain exits when it closes.
            return new ChildJvm(name, logFile, pb.start());
        }
    }
}
