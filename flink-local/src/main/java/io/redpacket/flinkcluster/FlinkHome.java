package io.redpacket.flinkcluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Flink installation directory laid out as a distribution has it: {@code lib/} (links to the Maven jars recorded
 * at build time), {@code plugins/metrics-prometheus/}, {@code conf/} (config.yaml and the log4j files), {@code log/},
 * {@code bin/flink} and {@code tmp/}. Hadoop's jars stay outside lib/, as on a stock cluster where they come from
 * HADOOP_CLASSPATH.
 */
final class FlinkHome {
    private static final Pattern PLAIN_YAML = Pattern.compile("[A-Za-z0-9_./:@+,=][A-Za-z0-9_./:@+,=-]*");

    final Path dir;
    final Path lib;
    final Path plugins;
    final Path conf;
    final Path log;
    final Path bin;
    final Path tmp;

    private FlinkHome(Path dir) {
        this.dir = dir;
        this.lib = dir.resolve("lib");
        this.plugins = dir.resolve("plugins");
        this.conf = dir.resolve("conf");
        this.log = dir.resolve("log");
        this.bin = dir.resolve("bin");
        this.tmp = dir.resolve("tmp");
    }

    /** Lays out lib/ and plugins/ afresh (a rebuilt module may record other jars) and creates the other folders. */
    static FlinkHome create(Path dir) throws IOException {
        FlinkHome home = new FlinkHome(dir.toAbsolutePath());
        for (Path p : List.of(home.conf, home.log, home.bin, home.tmp)) {
            Files.createDirectories(p);
        }
        deleteTree(home.lib);
        deleteTree(home.plugins);
        Files.createDirectories(home.lib);
        for (Path jar : recorded("lib.classpath")) {
            Files.createSymbolicLink(home.lib.resolve(jar.getFileName()), jar);
        }
        // Copied, not linked: Flink's plugin finder takes regular files only.
        Path prometheus = Files.createDirectories(home.plugins.resolve("metrics-prometheus"));
        for (Path jar : recorded("prometheus.classpath")) {
            Files.copy(jar, prometheus.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return home;
    }

    /** lib/*.jar in name order (as Flink's scripts build it), then the Hadoop class path and configuration. */
    String classpath(Path hadoopConfDir) throws IOException {
        List<String> entries = new ArrayList<>();
        try (Stream<Path> jars = Files.list(lib)) {
            jars.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .sorted(Comparator.comparing(Path::toString))
                    .forEach(p -> entries.add(p.toString()));
        }
        entries.add(hadoopClasspath());
        if (hadoopConfDir != null) {
            entries.add(hadoopConfDir.toAbsolutePath().toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    static String hadoopClasspath() throws IOException {
        return String.join(
                java.io.File.pathSeparator,
                recorded("hadoop.classpath").stream().map(Path::toString).toList());
    }

    Path configFile() {
        return conf.resolve("config.yaml");
    }

    Path daemonLogConfig() {
        return conf.resolve("log4j.properties");
    }

    Path cliLogConfig() {
        return conf.resolve("log4j-cli.properties");
    }

    Path flinkScript() {
        return bin.resolve("flink");
    }

    /** conf/config.yaml in Flink 2's flattened-key form, and the log4j files of the daemons and the command line. */
    void writeConfig(Map<String, String> config) throws IOException {
        StringBuilder yaml = new StringBuilder(
                "# Written by LocalFlinkCluster; read by the JobManager, the TaskManagers and bin/flink.\n");
        config.forEach(
                (k, v) -> yaml.append(k).append(": ").append(yamlScalar(v)).append('\n'));
        writeAtomically(configFile(), yaml.toString());
        writeAtomically(
                daemonLogConfig(),
                String.join(
                        "\n",
                        "# As a Flink distribution's conf/log4j.properties: one file per process, named by -Dlog.file.",
                        "monitorInterval = 30",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = MainAppender",
                        "logger.pekko.name = org.apache.pekko",
                        "logger.pekko.level = INFO",
                        "logger.hadoop.name = org.apache.hadoop",
                        "logger.hadoop.level = WARN",
                        "logger.zookeeper.name = org.apache.zookeeper",
                        "logger.zookeeper.level = INFO",
                        "logger.shaded_zookeeper.name = org.apache.flink.shaded.zookeeper3",
                        "logger.shaded_zookeeper.level = INFO",
                        "appender.main.name = MainAppender",
                        "appender.main.type = RollingFile",
                        "appender.main.append = true",
                        "appender.main.fileName = ${sys:log.file}",
                        "appender.main.filePattern = ${sys:log.file}.%i",
                        "appender.main.layout.type = PatternLayout",
                        "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                        "appender.main.policies.type = Policies",
                        "appender.main.policies.size.type = SizeBasedTriggeringPolicy",
                        "appender.main.policies.size.size = 100MB",
                        "appender.main.policies.startup.type = OnStartupTriggeringPolicy",
                        "appender.main.strategy.type = DefaultRolloverStrategy",
                        "appender.main.strategy.max = 5",
                        ""));
        writeAtomically(
                cliLogConfig(),
                String.join(
                        "\n",
                        "# As a Flink distribution's conf/log4j-cli.properties: the command line logs to a file, prints results.",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = FileAppender",
                        "logger.hadoop.name = org.apache.hadoop",
                        "logger.hadoop.level = WARN",
                        "appender.file.name = FileAppender",
                        "appender.file.type = FILE",
                        "appender.file.append = true",
                        "appender.file.fileName = ${sys:log.file}",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                        ""));
    }

    /** bin/flink: the same command line {@link LocalFlinkCluster#cli} runs, for people and scripts. */
    void writeFlinkScript(List<String> command, Map<String, String> environment) throws IOException {
        StringBuilder s = new StringBuilder("#!/usr/bin/env bash\n")
                .append("# The flink command line of the LocalFlinkCluster in ")
                .append(dir)
                .append(" (generated).\n");
        environment.forEach((k, v) ->
                s.append("export ").append(k).append('=').append(shellQuote(v)).append('\n'));
        s.append("exec");
        for (String c : command) {
            s.append(' ').append(shellQuote(c));
        }
        s.append(" \"$@\"\n");
        Path script = flinkScript();
        writeAtomically(script, s.toString());
        script.toFile().setExecutable(true);
    }

    static String yamlScalar(String v) {
        return PLAIN_YAML.matcher(v).matches() ? v : "'" + v.replace("'", "''") + "'";
    }

    static String shellQuote(String v) {
        return "'" + v.replace("'", "'\\''") + "'";
    }

    private static List<Path> recorded(String resource) throws IOException {
        try (InputStream in = FlinkHome.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " missing from the flink-local jar; build it with Maven");
            }
            String cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            List<Path> jars = Arrays.stream(cp.split(java.io.File.pathSeparator))
                    .filter(s -> !s.isEmpty())
                    .map(Path::of)
                    .toList();
            for (Path jar : jars) {
                if (!Files.isRegularFile(jar)) {
                    throw new IOException(
                            jar + " (recorded in " + resource + ") is missing; rebuild flink-local with Maven");
                }
            }
            return jars;
        }
    }

    static void writeAtomically(Path target, String content) throws IOException {
        Path tmpFile = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmpFile, content);
        Files.move(tmpFile, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
