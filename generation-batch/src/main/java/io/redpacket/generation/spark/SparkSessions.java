package io.redpacket.generation.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.SparkSession;

/** The session of a command-line run: the configured master (spark-submit), or all local cores when none is set. */
public final class SparkSessions {
    private SparkSessions() {}

    public static SparkSession forCommandLine(String appName) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /**
     * True under spark-submit (it passes its settings as system properties) or with {@code -Dspark.master}: the job
     * must run on that master. Read without Spark's classes, which take seconds to load.
     */
    public static boolean masterConfigured() {
        return System.getProperty("spark.master") != null;
    }

    /**
     * The Hadoop configuration a session of this process gets, built the way Spark builds it ({@code core-site.xml}
     * and {@code hdfs-site.xml} from the class path, i.e. {@code HADOOP_CONF_DIR} under spark-submit and
     * bin/redpacket, then {@code spark.hadoop.*}), without starting Spark: inputs are read and checked before any
     * engine starts.
     */
    public static Configuration hadoopConfiguration() {
        if (masterConfigured()) {
            return SparkHadoopUtil.get().newConfiguration(new SparkConf());
        }
        // A run by hand: Spark's configuration is only this JVM's spark.* properties, so the same result comes
        // without loading Spark (seconds saved on every small run and every bad input).
        Configuration conf = new Configuration();
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("spark.hadoop."))
                .forEach(k -> conf.set(k.substring("spark.hadoop.".length()), System.getProperty(k)));
        return conf;
    }
}
