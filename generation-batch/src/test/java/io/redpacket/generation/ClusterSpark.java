package io.redpacket.generation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Spark with its executors in separate JVMs: {@code local-cluster[2,1,1024]} (a master and two workers in this JVM,
 * each worker launching an executor JVM from this JVM's class path). The environment it needs
 * ({@code SPARK_TESTING}, {@code SPARK_SCALA_VERSION}, {@code spark.test.home}) is set by the failsafe configuration.
 *
 * <p>Network authentication and encryption are on, as the README asks of a real cluster, because the sealing keys
 * travel to the executors in a broadcast: the shared secret is generated here and given in the Spark conf of this
 * JVM (standalone mode takes it from {@code spark.authenticate.secret}); workers hand it to executors in their
 * environment, never on a command line (tested).
 */
final class ClusterSpark {
    static final String SECRET = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

    private ClusterSpark() {}

    static SparkSession start(Path work, Map<String, String> hadoop) throws Exception {
        Files.createDirectories(work);
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String opens = System.getProperty("spark.add.opens", "");
        SparkConf conf = new SparkConf()
                .setAppName("generation-cluster-it")
                .setMaster("local-cluster[2,1,1024]")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.executor.extraClassPath", classPath)
                .set("spark.executor.extraJavaOptions", opens + " -Djava.io.tmpdir=" + work + " -XX:+UseSerialGC")
                .set("spark.local.dir", work.resolve("spark-local").toString())
                .set("spark.authenticate", "true")
                .set("spark.authenticate.secret", SECRET)
                .set("spark.network.crypto.enabled", "true")
                .set("spark.io.encryption.enabled", "true");
        hadoop.forEach((k, v) -> conf.set("spark.hadoop." + k, v));
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** Whole command lines of this JVM's descendants (the workers' executor JVMs among them), from /proc: ps truncates. */
    static List<String> childCommandLines() {
        return ProcessHandle.current()
                .descendants()
                .map(p -> {
                    try {
                        return new String(
                                        Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                                        java.nio.charset.StandardCharsets.UTF_8)
                                .replace('\0', ' ');
                    } catch (java.io.IOException e) {
                        return "";
                    }
                })
                .toList();
    }
}
