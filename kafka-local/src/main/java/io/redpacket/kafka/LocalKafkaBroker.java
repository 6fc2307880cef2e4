package io.redpacket.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one process) started as a child JVM from
 * the Maven jars recorded at build time. Data lives in a work directory, so {@link #restart()} keeps topics
 * and offsets. The child is killed when this JVM exits, even on Ctrl-C.
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path workDir;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private Process process;
    private Thread shutdownHook;

    private LocalKafkaBroker(Path workDir, int port, int controllerPort, String clusterId) {
        this.workDir = workDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
    }

    /** Starts a broker on free loopback ports. */
    public static LocalKafkaBroker start(Path workDir) throws IOException {
        return start(workDir, freePort(), freePort());
    }

    public static LocalKafkaBroker start(Path workDir, int port, int controllerPort) throws IOException {
        checkPortFree(port, "Kafka listener");
        checkPortFree(controllerPort, "Kafka controller");
        Files.createDirectories(workDir);
        LocalKafkaBroker broker = new LocalKafkaBroker(
                workDir.toAbsolutePath(),
                port,
                controllerPort,
                org.apache.kafka.common.Uuid.randomUuid().toString());
        broker.writeConfig();
        broker.format();
        broker.launch();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path workDir() {
        return workDir;
    }

    public Path logFile() {
        return workDir.resolve("broker.log");
    }

    /** Creates the topic if absent and waits until every partition has a leader (producing earlier can stall). */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = admin()) {
            try {
                admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                        .all()
                        .get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    TopicDescription d = admin.describeTopics(Set.of(name))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get(name);
                    if (d.partitions().size() == partitions
                            && d.partitions().stream()
                                    .allMatch(p ->
                                            p.leader() != null && !p.leader().isEmpty())) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // Right after creation the metadata may not have reached the broker yet: ask again.
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + name + " has partitions without a leader after 60 s");
                }
                Thread.sleep(50);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name + " on " + bootstrapServers() + ": " + e, e);
        }
    }

    public Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(p);
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** CPU time the broker process has used so far (benchmarks account for the broker's share of the machine). */
    public java.time.Duration cpuTime() {
        return process == null
                ? java.time.Duration.ZERO
                : process.toHandle().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
    }

    /** Kills the broker abruptly (SIGKILL), as a crash would. */
    public void kill() {
        stopProcess(false);
    }

    /** Stops the broker cleanly. */
    public void stop() {
        stopProcess(true);
    }

    /** Stops and starts again on the same ports and data. */
    public void restart() throws IOException {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private void writeConfig() throws IOException {
        Path data = workDir.resolve("data");
        String config = String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "inter.broker.listener.name=PLAINTEXT",
                        "log.dirs=" + data,
                        "num.partitions=1",
                        "offsets.topic.replication.factor=1",
                        "offsets.topic.num.partitions=4",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "transaction.state.log.num.partitions=4",
                        "transaction.max.timeout.ms=900000",
                        "min.insync.replicas=1",
                        "group.initial.rebalance.delay.ms=0",
                        "share.coordinator.state.topic.replication.factor=1",
                        "share.coordinator.state.topic.min.isr=1",
                        "auto.create.topics.enable=false",
                        "log.flush.interval.messages=9223372036854775807",
                        "")
                + "\n";
        Files.writeString(workDir.resolve("server.properties"), config);
        Files.writeString(
                workDir.resolve("log4j2.properties"),
                String.join(
                        "\n",
                        "status = warn",
                        "appender.out.type = Console",
                        "appender.out.name = OUT",
                        "appender.out.layout.type = PatternLayout",
                        "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.out.ref = OUT",
                        "logger.kafka.name = kafka",
                        "logger.kafka.level = INFO",
                        "logger.state.name = state.change.logger",
                        "logger.state.level = WARN",
                        ""));
    }

    private void format() throws IOException {
        if (Files.exists(workDir.resolve("data").resolve("meta.properties"))) {
            return;
        }
        List<String> cmd = javaCommand(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                clusterId,
                "-c",
                workDir.resolve("server.properties").toString());
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        workDir.resolve("format.log").toFile()))
                .start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("formatting Kafka storage failed; see " + workDir.resolve("format.log") + ":\n"
                        + Files.readString(workDir.resolve("format.log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while formatting Kafka storage", e);
        }
    }

    private void launch() throws IOException {
        List<String> cmd =
                javaCommand("kafka.Kafka", workDir.resolve("server.properties").toString());
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .start();
        Process started = process;
        shutdownHook = new Thread(started::destroyForcibly, "kafka-local-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        awaitReady();
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "Kafka broker exited with code " + process.exitValue() + "; log " + logFile() + ":\n" + tail());
            }
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for Kafka", e);
            }
        }
        stopProcess(false);
        throw new IOException("Kafka broker not ready after " + START_TIMEOUT.toSeconds() + " s (" + last + "); log "
                + logFile() + ":\n" + tail());
    }

    private void stopProcess(boolean graceful) {
        if (process == null) {
            return;
        }
        try {
            if (graceful) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } else {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // JVM already shutting down: the hook runs anyway.
        }
        process = null;
    }

    private List<String> javaCommand(String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xms128m");
        cmd.add("-Xmx" + System.getProperty("redpacket.kafka.heap", "512m"));
        cmd.add("-XX:+UseG1GC");
        cmd.add("-Dlog4j2.configurationFile="
                + workDir.resolve("log4j2.properties").toUri());
        cmd.add("-cp");
        cmd.add(brokerClasspath());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The broker's jars, recorded from Maven at build time. */
    static String brokerClasspath() throws IOException {
        try (InputStream in = LocalKafkaBroker.class.getResourceAsStream("broker.classpath")) {
            if (in == null) {
                throw new IOException("broker.classpath missing from the kafka-local jar; build it with Maven");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails with a clear message when a configured port is taken. */
    public static void checkPortFree(int port, String what) throws IOException {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new IOException(what + " port " + port + " on 127.0.0.1 is already in use; choose another port", e);
        }
    }
}
