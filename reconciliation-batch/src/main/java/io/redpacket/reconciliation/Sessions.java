package io.redpacket.reconciliation;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The CLI's Spark session. A master given by spark-submit (or {@code -Dspark.master}) always wins; only when none
 * is configured does the CLI run locally on every core, bound to the loopback interface.
 */
final class Sessions {
    private Sessions() {}

    static SparkSession create(String appName) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]")
                    .setIfMissing("spark.driver.host", "127.0.0.1")
                    .setIfMissing("spark.driver.bindAddress", "127.0.0.1")
                    .setIfMissing("spark.ui.enabled", "false")
                    .setIfMissing("spark.ui.showConsoleProgress", "true")
                    .setIfMissing("spark.sql.shuffle.partitions", String.valueOf(Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));
        }
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }
}
