package io.redpacket.hadoop;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.HdfsConstants.DatanodeReportType;

/**
 * The child JVM's side of {@link LocalHdfs}: a NameNode and one DataNode ({@code MiniDFSCluster}) with their data
 * under the work directory, on the given NameNode port. Runs only in the child, whose class path holds the
 * minicluster jars; nothing in the parent refers to this class.
 *
 * <p>When the NameNode is out of safe mode and the DataNode is live, it writes the file system's URI to
 * {@value LocalHdfs#READY_FILE} (atomically, by rename), which the parent waits for. The work directory is
 * formatted on the first start only, so a restart finds its files again.
 */
public final class HdfsServer {
    private HdfsServer() {}

    /** Arguments: work directory, NameNode RPC port. */
    public static void main(String[] args) throws Exception {
        Path workDir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Path formatted = workDir.resolve(LocalHdfs.FORMATTED_FILE);
        boolean format = !Files.exists(formatted);

        Configuration conf = new HdfsConfiguration();
        conf.set("hadoop.tmp.dir", workDir.resolve("tmp").toString());
        conf.setBoolean("dfs.permissions.enabled", false);
        // One DataNode: a new file's blocks can have one replica, and the NameNode leaves safe mode on it.
        conf.setInt("dfs.replication", 1);
        conf.setInt("dfs.namenode.safemode.extension", 0);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(
                        conf, new File(workDir.resolve("data").toString()))
                .nameNodePort(port)
                .numDataNodes(1)
                .format(format)
                .manageNameDfsDirs(true)
                .manageDataDfsDirs(true)
                .build();
        cluster.waitActive();
        DistributedFileSystem fs = cluster.getFileSystem();
        while (cluster.getNameNode().isInSafeMode() || fs.getDataNodeStats(DatanodeReportType.LIVE).length < 1) {
            Thread.sleep(100);
        }
        Files.writeString(formatted, "formatted\n");
        String uri = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
        Path tmp = workDir.resolve(LocalHdfs.READY_FILE + ".tmp");
        Files.writeString(tmp, uri + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, workDir.resolve(LocalHdfs.READY_FILE), StandardCopyOption.ATOMIC_MOVE);
        System.out.println("[HdfsServer] ready: " + uri + " (data under " + workDir.resolve("data") + ")");
        // No shutdown hook: MiniDFSCluster.shutdown() fails inside one (Hadoop's ShutdownHookManager refuses changes
        // while the JVM shuts down). The NameNode syncs its edit log on every change and a DataNode finalizes a
        // block before the client's close returns, so a stopped process restarts from its data like a crashed one.
        new CountDownLatch(1).await();
    }
}
