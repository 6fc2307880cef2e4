package io.redpacket.reconciliation;

import io.redpacket.io.HadoopFileStore;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.SparkSession;

/**
 * The CLI's Spark session and file system. A master given by spark-submit (or {@code -Dspark.master}) always wins;
 * only when none is configured does the CLI run locally on every core, bound to the loopback interface.
 */
final class Sessions {
    private Sessions() {}

    /** What the command line asked for; spark-submit's {@code spark.*} system properties are in it. */
    static SparkConf conf(String appName, boolean consoleProgress) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]")
                    .setIfMissing("spark.driver.host", "127.0.0.1")
                    .setIfMissing("spark.driver.bindAddress", "127.0.0.1")
                    .setIfMissing("spark.ui.enabled", "false")
                    .setIfMissing(
                            "spark.sql.shuffle.partitions",
                            String.valueOf(Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));
        }
        // Progress bars only where a person watches: never in -e/-f output (for reading and piping) nor in a log file.
        conf.setIfMissing("spark.ui.showConsoleProgress", String.valueOf(consoleProgress));
        return conf;
    }

    /** A person at a terminal (not a pipe, a log file or a parent process reading the output). */
    static boolean onTerminal() {
        return System.console() != null;
    }

    /**
     * The file system as the session will see it, before the session exists: Spark builds its Hadoop configuration
     * the same way (the cluster's core-site.xml / hdfs-site.xml from the class path, then {@code spark.hadoop.*}),
     * so inputs are checked, and bad ones refused, without paying for a session start.
     */
    static HadoopFileStore fileStore(SparkConf conf) {
        return new HadoopFileStore(SparkHadoopUtil.get().newConfiguration(conf));
    }

    static SparkSession start(SparkConf conf) {
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }
}
