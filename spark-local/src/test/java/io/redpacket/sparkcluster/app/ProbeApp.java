package io.redpacket.sparkcluster.app;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A small Spark application, shipped as its own jar and run with spark-submit by the tests: reads text lines from
 * {@code <input>}, tags every line with the executor id and process id of the JVM that handled it, writes the tagged
 * lines to {@code <output>} as text and as Parquet, and prints {@code PROBE rows=<n> parquet=<n> jvms=<id:pid,...>}.
 * Paths are URIs ({@code hdfs://}, {@code s3a://}, {@code file://}).
 */
public final class ProbeApp {
    private ProbeApp() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ProbeApp <input> <output>");
            System.exit(2);
        }
        SparkSession spark = SparkSession.builder().getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JavaRDD<String> tagged = sc.textFile(args[0], 8).mapPartitions(ProbeApp::tag);
            tagged.saveAsTextFile(args[1] + "/text");
            spark.read().text(args[1] + "/text").write().parquet(args[1] + "/parquet");

            JavaRDD<String> written = sc.textFile(args[1] + "/text");
            long rows = written.count();
            long parquetRows = spark.read().parquet(args[1] + "/parquet").count();
            TreeSet<String> jvms =
                    new TreeSet<>(written.map(ProbeApp::jvmOf).distinct().collect());
            System.out.println("PROBE rows=" + rows + " parquet=" + parquetRows + " jvms=" + String.join(",", jvms)
                    + " driver=" + ProcessHandle.current().pid());
        } finally {
            spark.stop();
        }
    }

    static Iterator<String> tag(Iterator<String> lines) {
        String jvm = SparkEnv.get().executorId() + ":" + ProcessHandle.current().pid();
        List<String> out = new ArrayList<>();
        lines.forEachRemaining(line -> out.add(line + "\t" + jvm));
        return out.iterator();
    }

    static String jvmOf(String taggedLine) {
        return taggedLine.substring(taggedLine.lastIndexOf('\t') + 1);
    }
}
