package io.redpacket.generation;

import io.redpacket.hadoop.LocalHdfs;
import io.redpacket.hadoop.LocalS3;
import java.io.IOException;
import java.nio.file.Path;

/**
 * One real HDFS and one real S3 API server (child JVMs) for all cluster tests of this module's test JVM: they cost
 * tens of seconds to start, the tests seconds each. Stopped when the JVM exits; each test writes under its own path.
 */
final class SharedStorage {
    static final String BUCKET = "campaigns";
    private static final Path WORK =
            Path.of("target", "it-storage-" + ProcessHandle.current().pid()).toAbsolutePath();
    private static LocalHdfs hdfs;
    private static LocalS3 s3;

    private SharedStorage() {}

    static synchronized LocalHdfs hdfs() throws IOException {
        if (hdfs == null) {
            hdfs = LocalHdfs.start(WORK.resolve("hdfs"));
            LocalHdfs h = hdfs;
            Runtime.getRuntime().addShutdownHook(new Thread(h::close, "stop-hdfs"));
        }
        return hdfs;
    }

    static synchronized LocalS3 s3() throws IOException {
        if (s3 == null) {
            s3 = LocalS3.start(WORK.resolve("s3"));
            s3.createBucket(BUCKET);
            LocalS3 s = s3;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-s3"));
        }
        return s3;
    }
}
