package io.redpacket.hadoop;

import io.redpacket.kafka.FreePorts;
import io.redpacket.kafka.LocalKafkaBroker;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real HDFS: a NameNode and one DataNode (Hadoop {@code MiniDFSCluster} {@value #VERSION}) in a child JVM started
 * from the Maven jars recorded at build time, so no Hadoop jar reaches the class path of this JVM and a client of
 * any 3.x version talks to it over the wire. Data lives under the work directory: {@link #restart()} and a new
 * {@link #start(Path)} on the same directory keep the files. Permissions are off ({@code dfs.permissions.enabled=false}).
 *
 * <p>{@link #start(Path)} returns when the NameNode is out of safe mode and the DataNode is live. The process log is
 * {@code <work dir>/hdfs.log}; the child is killed when this JVM exits.
 */
public final class LocalHdfs implements AutoCloseable {
    static final String VERSION = "3.4.2";
    static final String READY_FILE = "hdfs.ready";
    static final String FORMATTED_FILE = "hdfs.formatted";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Path workDir;
    private final int port;
    private ChildJvm process;

    private LocalHdfs(Path workDir, int port) {
        this.workDir = workDir;
        this.port = port;
    }

    /** Starts on a free loopback port (from {@link FreePorts}). */
    public static LocalHdfs start(Path workDir) throws IOException {
        return start(workDir, new FreePorts().next(1));
    }

    public static LocalHdfs start(Path workDir, int nameNodePort) throws IOException {
        LocalKafkaBroker.checkPortFree(nameNodePort, "HDFS NameNode");
        Files.createDirectories(workDir);
        LocalHdfs hdfs = new LocalHdfs(workDir.toAbsolutePath(), nameNodePort);
        hdfs.writeLogConfig();
        hdfs.launch();
        return hdfs;
    }

    /** {@code hdfs://127.0.0.1:<port>}: the file system's URI ({@code fs.defaultFS} for clients). */
    public URI uri() {
        return URI.create("hdfs://127.0.0.1:" + port);
    }

    /** A path on this file system as a URI string, e.g. {@code uri("/campaign")}. */
    public String uri(String absolutePath) {
        return uri().resolve(absolutePath).toString();
    }

    public int port() {
        return port;
    }

    public Path workDir() {
        return workDir;
    }

    public Path logFile() {
        return workDir.resolve("hdfs.log");
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops and starts again on the same port and data. */
    public void restart() throws IOException {
        stop();
        launch();
    }

    /** Stops cleanly (SIGTERM: NameNode and DataNode shut down and flush). */
    public void stop() {
        if (process != null) {
            process.stop(STOP_GRACE);
            process = null;
        }
    }

    /** Kills the process abruptly (SIGKILL), as a crash would. */
    public void kill() {
        if (process != null) {
            process.kill();
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void launch() throws IOException {
        Files.deleteIfExists(workDir.resolve(READY_FILE));
        Files.createDirectories(workDir.resolve("tmp"));
        process = ChildJvm.builder("hdfs", logFile())
                .classpath(ChildJvm.recordedClasspath(LocalHdfs.class, "hdfs.classpath"))
                .heap(System.getProperty("redpacket.hdfs.heap", "384m"))
                .jvmArgs(List.of(
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-Djava.io.tmpdir=" + workDir.resolve("tmp"),
                        "-Dlog4j2.configurationFile="
                                + workDir.resolve("log4j2.properties").toUri()))
                .mainClass(HdfsServer.class.getName(), List.of(workDir.toString(), Integer.toString(port)))
                .directory(workDir)
                .start();
        process.awaitReady(
                "HDFS (NameNode + DataNode)", START_TIMEOUT, () -> Files.exists(workDir.resolve(READY_FILE)));
    }

    private void writeLogConfig() throws IOException {
        Files.writeString(
                workDir.resolve("log4j2.properties"),
                String.join(
                        "\n",
                        "status = warn",
                        "appender.out.type = Console",
                        "appender.out.name = OUT",
                        "appender.out.layout.type = PatternLayout",
                        "appender.out.layout.pattern = [%d] %p %c{1}: %m%n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.out.ref = OUT",
                        // Per-operation chatter: one line per block and per audited call.
                        "logger.state.name = org.apache.hadoop.hdfs.StateChange",
                        "logger.state.level = WARN",
                        "logger.block.name = BlockStateChange",
                        "logger.block.level = WARN",
                        "logger.audit.name = org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit",
                        "logger.audit.level = WARN",
                        "logger.clienttrace.name = org.apache.hadoop.hdfs.server.datanode.DataNode.clienttrace",
                        "logger.clienttrace.level = WARN",
                        ""),
                StandardCharsets.UTF_8);
    }

    /**
     * Runs HDFS as a process of its own until killed: {@code LocalHdfs <work dir> [port]}. Prints the URI and the log
     * file; the server stops when this process ends (also on SIGKILL, see {@link ChildMain}).
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: LocalHdfs <work dir> [NameNode port]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        LocalHdfs hdfs = args.length == 2 ? start(dir, Integer.parseInt(args[1])) : start(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(hdfs::close, "local-hdfs-main-shutdown"));
        System.out.println(hdfs.uri());
        System.out.println("log: " + hdfs.logFile());
        Thread.currentThread().join();
    }
}
