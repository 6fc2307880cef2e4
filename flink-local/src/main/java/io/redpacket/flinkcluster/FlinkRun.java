package io.redpacket.flinkcluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code flink run -d} submission: the job jar, optionally its main class (else the jar's manifest names it),
 * program arguments, a savepoint to start from, and environment variables of the client process. Secrets travel as
 * environment variables, never as arguments: arguments are visible in {@code ps} and end up in the job graph.
 */
public final class FlinkRun {
    private final Path jar;
    private String mainClass;
    private final List<String> programArgs = new ArrayList<>();
    private final List<String> options = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String savepoint;
    private boolean allowNonRestoredState;
    private Integer parallelism;

    private FlinkRun(Path jar) {
        this.jar = Objects.requireNonNull(jar);
    }

    public static FlinkRun jar(Path jar) {
        return new FlinkRun(jar);
    }

    public FlinkRun mainClass(String name) {
        this.mainClass = name;
        return this;
    }

    public FlinkRun args(String... args) {
        programArgs.addAll(List.of(args));
        return this;
    }

    public FlinkRun args(List<String> args) {
        programArgs.addAll(args);
        return this;
    }

    /** flink run -s: start from this savepoint (or retained checkpoint). */
    public FlinkRun fromSavepoint(String path) {
        this.savepoint = path;
        return this;
    }

    /** flink run -n: skip savepoint state that no operator of the new job claims. */
    public FlinkRun allowNonRestoredState() {
        this.allowNonRestoredState = true;
        return this;
    }

    /** flink run -p. */
    public FlinkRun parallelism(int p) {
        this.parallelism = p;
        return this;
    }

    /** Any other option of flink run, placed before the jar, e.g. {@code option("-Dpipeline.name=x")}. */
    public FlinkRun option(String... opts) {
        options.addAll(List.of(opts));
        return this;
    }

    /** An environment variable of the client JVM only (where the job's main runs). */
    public FlinkRun env(String name, String value) {
        env.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
        return this;
    }

    Map<String, String> environment() {
        return Collections.unmodifiableMap(env);
    }

    List<String> cliArguments() {
        List<String> a = new ArrayList<>(List.of("run", "-d"));
        if (savepoint != null) {
            a.addAll(List.of("-s", savepoint));
        }
        if (allowNonRestoredState) {
            a.add("-n");
        }
        if (parallelism != null) {
            a.addAll(List.of("-p", Integer.toString(parallelism)));
        }
        if (mainClass != null) {
            a.addAll(List.of("-c", mainClass));
        }
        a.addAll(options);
        a.add(jar.toAbsolutePath().toString());
        a.addAll(programArgs);
        return a;
    }
}
