package io.redpacket.sparkcluster;

import io.redpacket.hadoop.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Spark installation laid out as the binary distribution has it, built from the Maven jars recorded at build time:
 * {@code jars/} (a link per jar), {@code conf/} ({@code log4j2.properties}, {@code spark-defaults.conf}) and
 * {@code bin/spark-submit}. A worker
 * builds each executor's command from it exactly as on a real cluster ({@code <conf>:<jars>/*}); the daemons and
 * spark-submit run with the same class path.
 */
final class SparkHome {
    /** What a Spark distribution's {@code bin/load-spark-env.sh} exports; the launcher library needs it. */
    static final String SCALA_VERSION = "2.13";

    private final Path root;
    private final List<Path> jars;

    private SparkHome(Path root, List<Path> jars) {
        this.root = root;
        this.jars = jars;
    }

    /** Lays out {@code root} (again, if it exists) with the recorded Spark jars and the given cluster defaults. */
    static SparkHome create(Path root, Map<String, String> defaults) throws IOException {
        List<Path> jars = Arrays.stream(ChildJvm.recordedClasspath(SparkHome.class, "spark.classpath")
                        .split(File.pathSeparator))
                .map(Path::of)
                .toList();
        Path jarsDir = Files.createDirectories(root.resolve("jars"));
        for (Path jar : jars) {
            Path link = jarsDir.resolve(jar.getFileName());
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, jar);
        }
        SparkHome home = new SparkHome(root, jars);
        Files.createDirectories(home.confDir());
        Files.writeString(home.confDir().resolve("log4j2.properties"), LOG4J2, StandardCharsets.UTF_8);
        StringBuilder conf = new StringBuilder("# Cluster defaults: read by the master, the workers and spark-submit"
                + " (unless given --properties-file).\n");
        defaults.forEach((k, v) -> conf.append(k).append(' ').append(v).append('\n'));
        // Owner-only from the start: it may hold spark.authenticate.secret.
        io.redpacket.hadoop.OwnerOnlyFiles.write(home.confDir().resolve("spark-defaults.conf"), conf.toString());
        home.writeSparkSubmitScript();
        return home;
    }

    /** {@code bin/spark-submit}: what Spark's own script ends up running, for people and READMEs. */
    Path sparkSubmitScript() {
        return root.resolve("bin").resolve("spark-submit");
    }

    private void writeSparkSubmitScript() throws IOException {
        Path script = sparkSubmitScript();
        Files.createDirectories(script.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(
                script,
                String.join(
                        "\n",
                        "#!/usr/bin/env bash",
                        "# spark-submit of a Spark home assembled from Maven jars (redpacket spark-local): the JVM Spark's own",
                        "# bin/spark-submit starts, with the same class path (conf/, jars/*) and JVM flags. Client deploy mode;",
                        "# the driver's heap is SPARK_DRIVER_MEMORY (default 512m).",
                        "export SPARK_HOME='" + root + "'",
                        "export SPARK_CONF_DIR=\"${SPARK_CONF_DIR:-$SPARK_HOME/conf}\"",
                        "export SPARK_SCALA_VERSION=" + SCALA_VERSION,
                        "export SPARK_LOCAL_IP=\"${SPARK_LOCAL_IP:-127.0.0.1}\"",
                        "exec '" + java + "' -Xmx\"${SPARK_DRIVER_MEMORY:-512m}\" "
                                + String.join(" ", javaModuleOptions())
                                + " -cp \"$SPARK_CONF_DIR:$SPARK_HOME/jars/*\" org.apache.spark.deploy.SparkSubmit \"$@\"",
                        ""),
                StandardCharsets.UTF_8);
        script.toFile().setExecutable(true, false);
    }

    Path root() {
        return root;
    }

    Path confDir() {
        return root.resolve("conf");
    }

    Path jarsDir() {
        return root.resolve("jars");
    }

    List<Path> jars() {
        return jars;
    }

    /** The class path of a Spark JVM as {@code bin/spark-class} builds it: the conf directory, then the jars. */
    String classpath() {
        List<String> cp = new ArrayList<>();
        cp.add(confDir().toString());
        jars.forEach(j -> cp.add(j.toString()));
        return String.join(File.pathSeparator, cp);
    }

    /** The environment of every Spark JVM started here (daemons, spark-submit); executors inherit the workers'. */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPARK_HOME", root.toString());
        env.put("SPARK_CONF_DIR", confDir().toString());
        env.put("SPARK_SCALA_VERSION", SCALA_VERSION);
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return env;
    }

    /**
     * The JVM flags Spark's own launcher adds on Java 17+ ({@code JavaModuleOptions}), read from the recorded
     * spark-launcher jar, so the list is always the one of the Spark version in {@code jars/}.
     */
    List<String> javaModuleOptions() {
        Path launcher = jars.stream()
                .filter(j -> j.getFileName().toString().startsWith("spark-launcher_"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no spark-launcher jar among the recorded Spark jars"));
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {launcher.toUri().toURL()}, null)) {
            Class<?> options = loader.loadClass("org.apache.spark.launcher.JavaModuleOptions");
            return List.of(
                    (String[]) options.getMethod("defaultModuleOptionArray").invoke(null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read Spark's JavaModuleOptions from " + launcher, e);
        }
    }

    private static final String LOG4J2 = String.join(
            "\n",
            "# Daemons, drivers started by spark-submit and executors (conf/ is on each one's class path).",
            "rootLogger.level = info",
            "rootLogger.appenderRef.stdout.ref = console",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.target = SYSTEM_ERR",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex",
            "logger.jetty.name = org.sparkproject.jetty",
            "logger.jetty.level = warn",
            "logger.parquet.name = org.apache.parquet",
            "logger.parquet.level = warn",
            "logger.hadoop.name = org.apache.hadoop",
            "logger.hadoop.level = warn",
            "");
}
