package io.redpacket.campaign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One component of a campaign run as its own process (an edge, the settlement job, a Spark job), with its
 * output in a log file of the run directory. Stopped on request and, whatever happens, when this JVM exits.
 */
public final class ChildProcess implements AutoCloseable {
    private final String name;
    private final List<String> command;
    private final Path log;
    private final Map<String, String> env;
    private Process process;
    private Thread hook;

    public ChildProcess(String name, List<String> command, Path log, Map<String, String> env) {
        this.name = name;
        this.command = List.copyOf(command);
        this.log = log;
        this.env = Map.copyOf(env);
    }

    /** A {@code bin/redpacket} subcommand; the launcher builds what it needs and execs the JVM, so the pid is the JVM's. */
    public static ChildProcess redpacket(Path home, String name, Path log, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(home.resolve("bin/redpacket").toString());
        cmd.addAll(List.of(args));
        return new ChildProcess(name, cmd, log, env);
    }

    public ChildProcess start() throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        Process started = process;
        hook = new Thread(
                () -> {
                    started.descendants().forEach(ProcessHandle::destroyForcibly);
                    started.destroyForcibly();
                },
                "stop-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
        return this;
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Waits for the process to end by itself; returns its exit code, or fails after the timeout. */
    public int await(long timeout, TimeUnit unit) throws IOException {
        try {
            if (!process.waitFor(timeout, unit)) {
                stop();
                throw new IOException(name + " did not finish within " + unit.toSeconds(timeout) + " s; see " + log);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new IOException("interrupted while waiting for " + name, e);
        }
    }

    /** SIGTERM, then SIGKILL after a grace period (the JVMs shut down cleanly on SIGTERM). */
    public void stop() {
        terminate(false);
    }

    /** SIGKILL at once, as a crash would. */
    public void kill() {
        terminate(true);
    }

    private void terminate(boolean force) {
        if (process == null) {
            return;
        }
        try {
            if (force) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } else {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // Already shutting down: the hook runs anyway.
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The last lines of the log, for error messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
