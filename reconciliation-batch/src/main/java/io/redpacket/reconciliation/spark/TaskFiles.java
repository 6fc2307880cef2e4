package io.redpacket.reconciliation.spark;

import io.redpacket.io.HadoopFileStore;
import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The session's Hadoop configuration, broadcast once, so tasks on any executor open campaign files through the same
 * file systems, with the same settings ({@code core-site.xml}, {@code spark.hadoop.*}), as the driver.
 */
public record TaskFiles(Broadcast<SerializableConfiguration> conf) implements Serializable {

    public static TaskFiles of(SparkSession spark) {
        return new TaskFiles(SerializableConfiguration.broadcast(
                spark.sparkContext(), spark.sparkContext().hadoopConfiguration()));
    }

    /** In a task: a store on the broadcast configuration (Hadoop caches the file systems per JVM). */
    public HadoopFileStore store() {
        return new HadoopFileStore(conf.value().value());
    }
}
