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

    /** True under spark-submit (or with {@code -Dspark.master}): the job must run on that master. */
    public static boolean masterConfigured() {
        return new SparkConf().contains("spark.master");
    }

    /**
     * The Hadoop configuration a session of this process gets, built the way Spark builds it ({@code core-site.xml}
     * and {@code hdfs-site.xml} from the class path, i.e. {@code HADOOP_CONF_DIR} under spark-submit, then
     * {@code spark.hadoop.*}), without starting Spark: inputs are read and checked before any engine starts.
     */
    public static Configuration hadoopConfiguration() {
        return SparkHadoopUtil.get().newConfiguration(new SparkConf());
    }
}
