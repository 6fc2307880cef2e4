package io.redpacket.reconciliation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/redpacket reconcile|sql} as the launcher runs them, in a child JVM: the launcher's JVM flags, its class
 * path (this module's classes, then its runtime and provided dependencies as Maven records them in
 * {@code target/launcher-*.classpath}), {@code HADOOP_CONF_DIR} first when given. Nothing of the test JVM (its
 * logging configuration, its Spark session) leaks in, so what the console shows is what a user sees.
 */
final class LauncherRun {
    /** bin/redpacket's OPENS and the flags it adds to every command. */
    private static final List<String> FLAGS = List.of(
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.redpacket.avro");

    record Result(int exit, String out, String err) {}

    private LauncherRun() {}

    /**
     * Runs {@code ReconciliationCli} with {@code args} ({@code reconcile ...} or {@code sql ...}); {@code env} adds to
     * the environment (e.g. the key store password), {@code hadoopConfDir} may be null.
     */
    static Result run(Path workDir, Map<String, String> env, Path hadoopConfDir, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (args[0].equals("sql")) {
            command.add("-XX:TieredStopAtLevel=1"); // bin/redpacket's JVM_DEFAULTS[sql]
        }
        command.addAll(FLAGS);
        command.add("-Djava.io.tmpdir=" + workDir.toAbsolutePath());
        command.add("-cp");
        command.add(classPath(hadoopConfDir));
        command.add(ReconciliationCli.class.getName());
        command.addAll(List.of(args));
        Files.createDirectories(workDir);
        Path out = Files.createTempFile(workDir, "launcher-", ".out");
        Path err = Files.createTempFile(workDir, "launcher-", ".err");
        ProcessBuilder pb =
                new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        // as bin/redpacket runs it: without the test build's JVM options (root pom), which the JVM announces on stderr
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(
                        "launcher run did not finish: " + String.join(" ", args) + "; output in " + out + ", " + err);
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        return new Result(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    static String classPath(Path hadoopConfDir) throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        List<String> entries = new ArrayList<>();
        if (hadoopConfDir != null) {
            entries.add(hadoopConfDir.toAbsolutePath().toString());
        }
        entries.add(target.resolve("classes").toString());
        entries.add(
                Files.readString(target.resolve("launcher-runtime.classpath")).strip());
        entries.add(
                Files.readString(target.resolve("launcher-provided.classpath")).strip());
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Jars the launcher's class path has and the given cluster's jars do not (by file name): what s3a adds with --jars. */
    static List<Path> extraJars(List<Path> clusterJars) throws IOException {
        java.util.Set<String> cluster = new java.util.HashSet<>();
        clusterJars.forEach(j -> cluster.add(j.getFileName().toString()));
        List<Path> out = new ArrayList<>();
        for (String e : Files.readString(Path.of("target", "launcher-provided.classpath"))
                .strip()
                .split(java.io.File.pathSeparator)) {
            Path jar = Path.of(e);
            if (!cluster.contains(jar.getFileName().toString())) {
                out.add(jar);
            }
        }
        return out;
    }
}
