package io.redpacket.sparkcluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What to give {@code spark-submit}: the application jar and main class, {@code --conf} settings, {@code --jars},
 * an optional {@code --properties-file}, the application's arguments, and extra environment variables for the
 * driver. Secrets go into the environment or an owner-only properties file: a {@code --conf} whose key names a
 * secret is refused, since a command line is visible to every user of the machine ({@code ps}).
 */
public final class SparkSubmission {
    /** Keys whose value is a secret: they end in a word like secret, password or token (fs.s3a.secret.key too). */
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(secret|password|passwd|token)[a-z_]*(\\.key)?");

    final Path applicationJar;
    final String mainClass;
    final Map<String, String> conf = new LinkedHashMap<>();
    final List<Path> jars = new ArrayList<>();
    final List<String> args = new ArrayList<>();
    final Map<String, String> env = new LinkedHashMap<>();
    String name;
    Path propertiesFile;
    String driverHeap = "512m";

    private SparkSubmission(Path applicationJar, String mainClass) {
        this.applicationJar = applicationJar;
        this.mainClass = mainClass;
        this.name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    }

    public static SparkSubmission of(Path applicationJar, String mainClass) {
        return new SparkSubmission(applicationJar, mainClass);
    }

    /** {@code --conf key=value}; refused for keys that name a secret. */
    public SparkSubmission conf(String key, String value) {
        if (SECRET_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("--conf " + key + " would put a secret on the command line; "
                    + "give it in an owner-only --properties-file or in the environment");
        }
        conf.put(key, value);
        return this;
    }

    public SparkSubmission conf(Map<String, String> settings) {
        settings.forEach(this::conf);
        return this;
    }

    /** {@code --jars}: shipped to the executors by the driver (e.g. hadoop-aws and the AWS SDK for s3a). */
    public SparkSubmission jars(List<Path> extraJars) {
        jars.addAll(extraJars);
        return this;
    }

    /**
     * {@code --properties-file}: replaces the cluster's {@code conf/spark-defaults.conf} for this application (Spark's
     * own rule), the place for {@code spark.authenticate.secret} and other secrets.
     */
    public SparkSubmission propertiesFile(Path file) {
        this.propertiesFile = file;
        return this;
    }

    public SparkSubmission args(String... applicationArgs) {
        args.addAll(List.of(applicationArgs));
        return this;
    }

    /** Environment variables of the driver process (never on its command line). */
    public SparkSubmission env(String variable, String value) {
        env.put(variable, value);
        return this;
    }

    /** {@code --name}; default: the main class's simple name. */
    public SparkSubmission name(String appName) {
        this.name = appName;
        return this;
    }

    /** Heap of the driver JVM (what {@code --driver-memory} sets in client mode); default 512m. */
    public SparkSubmission driverHeap(String heap) {
        this.driverHeap = heap;
        return this;
    }

    /** The spark-submit arguments, as a user would type them after {@code spark-submit}. */
    List<String> arguments(String masterUrl) {
        List<String> a = new ArrayList<>(
                List.of("--master", masterUrl, "--deploy-mode", "client", "--class", mainClass, "--name", name));
        if (!jars.isEmpty()) {
            a.add("--jars");
            a.add(String.join(",", jars.stream().map(Path::toString).toList()));
        }
        if (propertiesFile != null) {
            a.add("--properties-file");
            a.add(propertiesFile.toString());
        }
        conf.forEach((k, v) -> {
            a.add("--conf");
            a.add(k + "=" + v);
        });
        a.add(applicationJar.toString());
        a.addAll(args);
        return a;
    }
}
