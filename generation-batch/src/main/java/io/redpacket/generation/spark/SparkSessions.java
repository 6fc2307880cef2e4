package io.redpacket.generation.spark;

import org.apache.spark.SparkConf;
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
}
