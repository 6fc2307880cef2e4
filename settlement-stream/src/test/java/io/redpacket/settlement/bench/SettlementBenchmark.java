package io.redpacket.settlement.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.OpenEvent;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.flinkcluster.FlinkRest;
import io.redpacket.io.AtomicFiles;
import io.redpacket.kafka.FreePorts;
import io.redpacket.kafka.LocalKafkaBroker;
import io.redpacket.settlement.SettlementConfig;
import io.redpacket.settlement.SettlementRunner;
import io.redpacket.testkit.GeneratedCampaign;
import io.redpacket.token.TokenSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (surefire's default includes do not match the name; run it explicitly):
 * <pre>
 *   mvn -B -o -pl settlement-stream test -Dtest=SettlementBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *       [-Dbench.opens=3000000] [-Dbench.latencyRate=10000] [-Dbench.latencySeconds=10] [-Dbench.pgSeconds=15]
 *       [-Dbench.pgClients=8] [-Dbench.rocksdb=true] [-Dbench.checkpointMs=3000] [-Dbench.order=file]
 *       [-Dbench.devices=true] [-Dbench.flink="key=value;key=value"]
 * </pre>
 * Everything on this machine: the Kafka broker (kafka-local child JVM), the Flink mini cluster and PostgreSQL.
 * Phase 0: the job starts and loads the campaign's records (as before a campaign), measured up to one canary credit.
 * Phase 1: resumed from phase 0's checkpoint, a backlog of N open events on the opens topic is settled with exactly-once credits; the rate is
 * N divided by the time from the first credit produced to the last credit visible to a read_committed consumer.
 * Phase 2: opens produced at a steady rate; latency = visible under read_committed minus the open's time.
 * Phase 3: the design the seeds moved away from: one PostgreSQL transaction per open (same local verification,
 * unique envelope constraint, wallet upsert), PostgreSQL from Debian's packages started in a temp directory.
 * Figures go to stdout and to target/bench/settlement-benchmark.txt.
 */
class SettlementBenchmark {
    private static final int OPENS = Integer.getInteger("bench.opens", 3_000_000);
    private static final int LATENCY_RATE = Integer.getInteger("bench.latencyRate", 10_000);
    private static final int LATENCY_SECONDS = Integer.getInteger("bench.latencySeconds", 10);
    private static final int PG_SECONDS = Integer.getInteger("bench.pgSeconds", 15);
    private static final int PG_CLIENTS = Integer.getInteger("bench.pgClients", 8);
    private static final boolean ROCKSDB = Boolean.parseBoolean(System.getProperty("bench.rocksdb", "true"));
    /**
     * The order opens arrive in: {@code file} (default) as the edges dispense, each file from its first record on, the
     * files side by side (round robin), which is the order a campaign's opens follow (issue 18: ids are not random
     * within a generated file); {@code id} by ascending envelope id, the order of the figures before 2026-11-27.
     */
    private static final String ORDER = System.getProperty("bench.order", "file");

    /**
     * More Flink options for both mini clusters, {@code key=value} separated by {@code ;} (e.g. to measure a RocksDB or
     * memory setting a cluster's config.yaml would carry): {@code -Dbench.flink="taskmanager.memory.managed.size=1g"}.
     */
    private static final Map<String, String> FLINK = flinkOptions(System.getProperty("bench.flink", ""));

    /**
     * {@code true} (default): each open carries a device id (one device per user, as most phones), so the live device
     * flag keeps state per device; {@code false}: opens carry none, to measure the job without that operator's state.
     */
    private static final boolean DEVICES = Boolean.parseBoolean(System.getProperty("bench.devices", "true"));

    private static final Duration CHECKPOINT = Duration.ofMillis(Long.getLong("bench.checkpointMs", 3_000));
    private static final char[] PASSWORD = "bench-password".toCharArray();

    private final List<String> report = new ArrayList<>();

    @Test
    void settle() throws Exception {
        Path work = Path.of("target", "bench").toAbsolutePath();
        Files.createDirectories(work);
        Path run = Files.createTempDirectory(work, "run-");
        int latencyOpens = LATENCY_RATE * LATENCY_SECONDS;
        int total = OPENS + latencyOpens;
        line(
                "settlement benchmark %s, %d cores, max heap %d MB; broker, Flink and PostgreSQL all on this machine",
                Instant.now(),
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);

        long t = System.nanoTime();
        List<GeneratedCampaign.Line> lines = new ArrayList<>();
        for (int s = 0; s < 10; s++) {
            lines.add(new GeneratedCampaign.Line("sponsor-" + s, "cash", total / 10 + 1, 1, 2_000));
        }
        long now = System.currentTimeMillis();
        GeneratedCampaign c = GeneratedCampaign.builder()
                .lines(lines)
                .shards(4)
                .startMs(now - 60_000)
                .slotMs(3_660_000)
                .password(PASSWORD)
                .seed(7)
                .build(run.resolve("variant"));
        Path passwordFile = run.resolve("password");
        Files.writeString(passwordFile, new String(PASSWORD));
        if (!FLINK.isEmpty()) {
            line("Flink options added to the mini clusters' configuration: %s", FLINK);
        }
        line("campaign: %,d envelopes in 4 files, generated (real generator) in %.1f s", c.envelopeCount(), secs(t));
        long[] order = openOrder(c);
        line(
                "opens arrive in %s order, %s",
                ORDER.equals("file") ? "file (as the edges dispense, files side by side)" : "id",
                DEVICES ? "each from its own device" : "without device ids (the live device flag sees none)");

        double flinkRate;
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(run.resolve("kafka"))) {
            SettlementConfig.TopicNames topics = new SettlementConfig.TopicNames(
                    "b.opens", "b.credits", "b.rejects", "b.metrics", "b.control", null);
            for (String name :
                    List.of(topics.opens(), topics.credits(), topics.rejects(), topics.metrics(), topics.control())) {
                createTopic(broker, name, name.equals(topics.opens()) || name.equals(topics.credits()) ? 2 : 1);
            }
            java.util.function.Function<String, SettlementConfig> config = restoreFrom -> SettlementConfig.builder(
                            c.dir.toUri(),
                            broker.bootstrapServers(),
                            run.resolve("out").toUri())
                    .passwordFile(passwordFile.toUri())
                    .topics(topics)
                    .groupId("bench")
                    .parallelism(2)
                    .checkpointInterval(CHECKPOINT)
                    .checkpointDir(run.resolve("checkpoints").toUri())
                    .stateBackend(ROCKSDB ? SettlementConfig.ROCKSDB : SettlementConfig.HASHMAP)
                    .restartStrategy("none")
                    .retentionGrace(Duration.ofHours(1))
                    .fromEarliest(true)
                    .restoreFrom(restoreFrom)
                    .build();

            // Phase 0, as in production: settlement starts before the campaign and loads the records once; a single
            // canary open (an envelope no other phase uses) is credited when they are all in.
            String checkpoint;
            {
                CreditReader canary = new CreditReader(broker.bootstrapServers(), topics.credits());
                Thread canaryThread = new Thread(canary, "canary-reader");
                canaryThread.start();
                CpuReading start = CpuReading.take(broker, canaryThread);
                JobClient loader = SettlementRunner.start(config.apply(null), FLINK);
                try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
                    produce(producer, topics.opens(), c, order, total, 1, 0);
                }
                canary.awaitCount(1, Duration.ofMinutes(20));
                CpuReading end = CpuReading.take(broker, canaryThread);
                double wallS = end.secondsSince(start);
                double jvmS = end.jobNanosSince(start) / 1e9;
                double brokerS = end.brokerNanosSince(start) / 1e9;
                loader.cancel().get(60, TimeUnit.SECONDS);
                canary.stop();
                canaryThread.join(10_000);
                checkpoint = latestCheckpoint(
                        run.resolve("checkpoints").resolve(loader.getJobID().toString()));
                line(
                        "phase 0: %,d pre-generated records loaded into keyed state (%s) and a canary open credited %.1f s after submit; "
                                + "%.1f s of CPU from submit, start-up included (%.1f us per record), broker %.1f s",
                        (int) c.envelopeCount(),
                        ROCKSDB ? "RocksDB" : "heap",
                        wallS,
                        jvmS,
                        jvmS * 1e6 / (int) c.envelopeCount(),
                        brokerS);
            }

            t = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
                produce(producer, topics.opens(), c, order, 0, OPENS, 0);
            }
            line("produced %,d open events in %.1f s (backlog for phase 1)", OPENS, secs(t));

            // Phase 1: the job resumes from phase 0's last checkpoint (records in state, nothing loaded again).
            CreditReader reader = new CreditReader(broker.bootstrapServers(), topics.credits());
            reader.skip(1); // the canary's credit
            Thread readerThread = new Thread(reader, "credit-reader");
            readerThread.start();
            long submitMs = System.currentTimeMillis();
            // CPU from submit (start-up included, so per-open figures are a little pessimistic) to the last credit.
            CpuReading start = CpuReading.take(broker, readerThread);
            int restPort = new FreePorts().next(1);
            Map<String, String> restApi = new HashMap<>(SettlementRunner.webUi(restPort));
            restApi.putAll(FLINK);
            // every checkpoint of the run, not the last 10 (phase 2 alone triggers ~20 at 500 ms)
            restApi.put("web.checkpoints.history", "10000");
            JobClient job = SettlementRunner.start(config.apply(checkpoint), restApi);
            try {
                // A second reading half way: the second half of the backlog is the job at work, without its start-up
                // (restore, JIT compilation of the hot paths), which a job running for hours spreads over far more
                // opens.
                reader.awaitCount(OPENS / 2, Duration.ofMinutes(20));
                long halfCounted = reader.count.get();
                CpuReading half = CpuReading.take(broker, readerThread);
                reader.awaitCount(OPENS, Duration.ofMinutes(20));
                long counted = reader.count.get();
                CpuReading end = CpuReading.take(broker, readerThread);
                long steadyOpens = counted - halfCounted;
                double steadyJvmUs = end.jobNanosSince(half) / 1e3 / steadyOpens;
                double steadyBrokerUs = end.brokerNanosSince(half) / 1e3 / steadyOpens;
                double steadyS = end.secondsSince(half);
                double readerUs = (end.readerNanos() - start.readerNanos()) / 1e3 / counted;
                double jvmUs = end.jobNanosSince(start) / 1e3 / counted;
                double brokerUs = end.brokerNanosSince(start) / 1e3 / counted;
                double wallS = end.secondsSince(start);
                long lastVisibleMs = reader.lastArrivalMs.get();
                long firstCreditMs = reader.minCreditTimeMs.get();
                flinkRate = OPENS * 1000.0 / (lastVisibleMs - firstCreditMs);
                line(
                        "phase 1, exactly once: %,d credits committed; first credit %.1f s after submit (restored from phase 0's checkpoint); "
                                + "%,.0f opens/s from first credit to last credit visible (read_committed), parallelism 2, checkpoint %d ms, %s state",
                        OPENS,
                        (firstCreditMs - submitMs) / 1000.0,
                        flinkRate,
                        CHECKPOINT.toMillis(),
                        ROCKSDB ? "RocksDB (incremental)" : "heap");
                // CPU per open is what the machine's load cannot inflate much: it says what 2 idle cores would sustain.
                line(
                        "    CPU per open over %,d credits, from submit: %.1f us Flink job, %.1f us broker (+ %.1f us the credit reader); "
                                + "job and broker together kept %.2f of %d cores busy; %,.0f opens/s if 2 cores did nothing else",
                        counted,
                        jvmUs,
                        brokerUs,
                        readerUs,
                        (jvmUs + brokerUs) * counted / 1e6 / wallS,
                        Runtime.getRuntime().availableProcessors(),
                        2e6 / (jvmUs + brokerUs));
                line(
                        "    where the job's CPU went, us per open by thread (Linux thread names, 15 characters; RocksDB's own threads included): %s",
                        perThread(start.threadMs(), end.threadMs(), counted));
                // Credits become visible a checkpoint at a time: a half that spans only a few of them says nothing.
                if (steadyOpens >= OPENS / 4 && steadyS * 1000 >= 4 * CHECKPOINT.toMillis()) {
                    line(
                            "    steady state, the backlog's second half (%,d credits, %,.0f opens/s): %.1f us Flink job, %.1f us broker per open; "
                                    + "%,.0f opens/s if 2 cores did nothing else; by thread: %s",
                            steadyOpens,
                            steadyOpens / steadyS,
                            steadyJvmUs,
                            steadyBrokerUs,
                            2e6 / (steadyJvmUs + steadyBrokerUs),
                            perThread(half.threadMs(), end.threadMs(), steadyOpens));
                } else {
                    line(
                            "    steady state: not measured (%,d credits became visible over %.1f s after the half-way reading: "
                                    + "too few checkpoints of %d ms for so small a backlog)",
                            steadyOpens, steadyS, CHECKPOINT.toMillis());
                }

                reader.startLatency();
                long phase2Ms = System.currentTimeMillis();
                t = System.nanoTime();
                try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
                    produce(producer, topics.opens(), c, order, OPENS, latencyOpens, LATENCY_RATE);
                }
                reader.awaitCount(total, Duration.ofMinutes(5));
                long[] lat = reader.latencies();
                Arrays.sort(lat);
                line(
                        "phase 2: %,d opens at %,d/s for %d s; open-to-committed-credit latency p50 %d ms, p95 %d ms, p99 %d ms, max %d ms",
                        latencyOpens,
                        LATENCY_RATE,
                        LATENCY_SECONDS,
                        pct(lat, 50),
                        pct(lat, 95),
                        pct(lat, 99),
                        lat[lat.length - 1]);
                line(
                        "    (exactly-once credits become visible when the checkpoint that holds them completes: latency >= checkpoint interval)");
                line("    %s", checkpointsSince(restPort, job.getJobID().toString(), phase2Ms));
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
                reader.stop();
                readerThread.join(10_000);
            }
        }

        double pgRate = PostgresBaseline.run(c, PG_SECONDS, PG_CLIENTS, this::line);
        line(
                "ratio: Flink exactly-once %,.0f opens/s / PostgreSQL %,.0f opens/s = %.1fx (floors: >= 100,000 opens/s, >= 10x)",
                flinkRate, pgRate, flinkRate / pgRate);
        Files.write(work.resolve("settlement-benchmark.txt"), report);
        // a 1 M-open run leaves ~300 MB (campaign, broker, checkpoints, logs): kept only when the run fails
        AtomicFiles.deleteTree(run);
    }

    private static String latestCheckpoint(Path jobDir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(jobDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata")))
                    .max(java.util.Comparator.comparingInt(
                            p -> Integer.parseInt(p.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new IllegalStateException("no completed checkpoint under " + jobDir))
                    .toUri()
                    .toString();
        }
    }

    /** A new topic's metadata can lag on a busy machine (describe fails once): retry a few times. */
    private static void createTopic(LocalKafkaBroker broker, String name, int partitions) {
        for (int attempt = 1; ; attempt++) {
            try {
                broker.createTopic(name, partitions);
                return;
            } catch (IllegalStateException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private void line(String fmt, Object... args) {
        String s = String.format(fmt, args);
        System.out.println(s);
        report.add(s);
    }

    /**
     * CPU used so far by this JVM, by the broker's process and by the thread reading credits, and per thread of this
     * JVM: the difference of two readings is a phase's cost. The reader stands for the payment back end, so its CPU
     * is taken out of the job's.
     */
    record CpuReading(long jvmNanos, long brokerNanos, long readerNanos, Map<String, Long> threadMs, long wallNanos) {
        static CpuReading take(LocalKafkaBroker broker, Thread reader) {
            return new CpuReading(
                    processCpuNanos(),
                    broker.cpuTime().toNanos(),
                    java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(reader.getId()),
                    threadCpuMs(),
                    System.nanoTime());
        }

        long jobNanosSince(CpuReading before) {
            return jvmNanos - before.jvmNanos - (readerNanos - before.readerNanos);
        }

        long brokerNanosSince(CpuReading before) {
            return brokerNanos - before.brokerNanos;
        }

        double secondsSince(CpuReading before) {
            return (wallNanos - before.wallNanos) / 1e9;
        }
    }

    /** CPU (ms) of this JVM's threads, Java and native (RocksDB's), summed by name without trailing numbers. */
    static Map<String, Long> threadCpuMs() {
        Map<String, Long> out = new java.util.TreeMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return out;
        }
        for (java.io.File t : tasks) {
            try {
                String name =
                        Files.readString(t.toPath().resolve("comm")).strip().replaceAll("[#\\-]?\\d+$", "");
                String stat = Files.readString(t.toPath().resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
                out.merge(name, ticks * 10, Long::sum); // USER_HZ = 100
            } catch (IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
        return out;
    }

    private static String perThread(Map<String, Long> before, Map<String, Long> after, long opens) {
        Map<String, Long> diff = new java.util.HashMap<>();
        after.forEach((k, v) -> diff.put(k, v - before.getOrDefault(k, 0L)));
        return diff.entrySet().stream()
                .filter(e -> e.getValue() * 1000.0 / opens >= 0.5)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> String.format("%s %.1f", e.getKey(), e.getValue() * 1000.0 / opens))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double secs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static long pct(long[] sorted, double p) {
        return sorted.length == 0
                ? -1
                : sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * p / 100) - 1)];
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        return new KafkaProducer<>(p);
    }

    /**
     * Envelope ids in the order opens arrive ({@link #ORDER}): by file, the files side by side, or by id.
     */
    static long[] openOrder(GeneratedCampaign c) {
        long[] order = new long[(int) c.envelopeCount()];
        if (ORDER.equals("id")) {
            for (int i = 0; i < order.length; i++) {
                order[i] = c.firstEnvelopeId() + i;
            }
            return order;
        }
        if (!ORDER.equals("file")) {
            throw new IllegalArgumentException("bench.order: " + ORDER + " (file or id)");
        }
        List<List<GeneratedCampaign.Envelope>> files = new ArrayList<>();
        for (String file : c.recordsPerFile().keySet()) {
            files.add(c.inFile(file));
        }
        int next = 0;
        for (int position = 0; next < order.length; position++) {
            for (List<GeneratedCampaign.Envelope> f : files) {
                if (position < f.size()) {
                    order[next++] = f.get(position).envelopeId();
                }
            }
        }
        return order;
    }

    /**
     * Opens of the envelopes at [from, from+n) of {@code order}, one user per envelope; paced at {@code perSecond} when
     * > 0.
     */
    static void produce(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            GeneratedCampaign c,
            long[] order,
            int from,
            int n,
            int perSecond)
            throws Exception {
        TokenSigner signer = new TokenSigner(c.ring);
        byte[] records = c.recordsById();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (perSecond > 0 && i % 100 == 0) {
                long due = start + (long) i * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            long id = order[from + i];
            String user = "u" + id;
            long nowMs = System.currentTimeMillis();
            String token = signer.sign(
                    records, (int) (id - c.firstEnvelopeId()) * EnvelopeLayout.RECORD_BYTES, user, nowMs - 1_000, 1);
            OpenEvent e = OpenEvent.newBuilder()
                    .setEventId("e" + id)
                    .setToken(token)
                    .setUserId(user)
                    .setDeviceId(DEVICES ? "d" + id : "")
                    .setIp("10.1.2.3")
                    .setClientVersion("8.0")
                    .setEdgeId(1)
                    .setShakeTimeMs(nowMs - 1_000)
                    .setOpenTimeMs(nowMs)
                    .setEnvelopeId(id)
                    .build();
            ByteBuffer bb = e.toByteBuffer();
            byte[] value = new byte[bb.remaining()];
            bb.get(value);
            producer.send(new ProducerRecord<>(topic, Long.toString(id).getBytes(StandardCharsets.UTF_8), value));
        }
        producer.flush();
    }

    /** Reads committed credits as they become visible; records arrival times and latencies. */
    static final class CreditReader implements Runnable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private volatile boolean running = true;
        private volatile boolean measureLatency;
        final AtomicLong count = new AtomicLong();
        final AtomicLong lastArrivalMs = new AtomicLong();
        final AtomicLong minCreditTimeMs = new AtomicLong(Long.MAX_VALUE);
        private long[] latencies = new long[1 << 16];
        private int nLatencies;
        private int toSkip;

        CreditReader(String bootstrap, String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
            consumer = new KafkaConsumer<>(p);
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        @Override
        public void run() {
            try {
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    long arrival = System.currentTimeMillis();
                    int n = 0;
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        if (toSkip > 0) {
                            toSkip--;
                            continue;
                        }
                        n++;
                        CreditInstruction ci = CreditInstruction.fromByteBuffer(ByteBuffer.wrap(r.value()));
                        minCreditTimeMs.accumulateAndGet(ci.getCreditTimeMs(), Math::min);
                        if (measureLatency) {
                            synchronized (this) {
                                if (nLatencies == latencies.length) {
                                    latencies = Arrays.copyOf(latencies, nLatencies * 2);
                                }
                                latencies[nLatencies++] = arrival - ci.getOpenTimeMs();
                            }
                        }
                    }
                    if (n > 0) {
                        lastArrivalMs.set(arrival);
                        count.addAndGet(n);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } finally {
                consumer.close();
            }
        }

        /** Ignores the first {@code n} credits of the topic (an earlier phase's). */
        void skip(int n) {
            toSkip = n;
        }

        void startLatency() {
            measureLatency = true;
        }

        synchronized long[] latencies() {
            return Arrays.copyOf(latencies, nLatencies);
        }

        void awaitCount(long n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count.get() < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "only " + count.get() + " of " + n + " credits committed within " + timeout);
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }

        void stop() {
            running = false;
        }
    }

    /**
     * What a credit waits for in phase 2: the checkpoints triggered since {@code sinceMs}, from the job's checkpoint
     * statistics (REST API), their end-to-end durations and the bytes each wrote.
     */
    private static String checkpointsSince(int port, String jobId, long sinceMs) {
        FlinkRest rest = new FlinkRest("http://127.0.0.1:" + port);
        JsonNode history;
        try {
            history = rest.get("/jobs/" + jobId + "/checkpoints").path("history");
        } catch (UncheckedIOException e) {
            return "checkpoint statistics: " + e.getMessage();
        }
        List<Long> durations = new ArrayList<>();
        long bytes = 0;
        int notCompleted = 0;
        long slowestId = -1;
        long slowestMs = -1;
        for (JsonNode cp : history) {
            if (cp.path("trigger_timestamp").asLong() < sinceMs) {
                continue;
            }
            if (!"COMPLETED".equals(cp.path("status").asText())) {
                notCompleted++;
                continue;
            }
            long ms = cp.path("end_to_end_duration").asLong();
            durations.add(ms);
            bytes += cp.path("checkpointed_size").asLong();
            if (ms > slowestMs) {
                slowestMs = ms;
                slowestId = cp.path("id").asLong();
            }
        }
        if (durations.isEmpty()) {
            return "checkpoints triggered in phase 2: none completed (" + notCompleted + " others)";
        }
        long[] d = durations.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format(
                        "checkpoints triggered in phase 2: %d completed (%d in progress or failed), end-to-end duration p50 %d ms, "
                                + "p95 %d ms, max %d ms; %,d bytes written per checkpoint on average",
                        d.length, notCompleted, pct(d, 50), pct(d, 95), d[d.length - 1], bytes / d.length)
                + "\n    " + slowestCheckpoint(rest, jobId, slowestId, slowestMs);
    }

    /**
     * Where the slowest checkpoint's time went, per job vertex (operator chain), the worst subtask of each: the delay
     * before its barrier reached the vertex, barrier alignment, the synchronous part (flushes, Parquet part files
     * closed) and the asynchronous upload.
     */
    private static String slowestCheckpoint(FlinkRest rest, String jobId, long id, long ms) {
        String base = "/jobs/" + jobId;
        Map<String, String> names = new HashMap<>();
        for (JsonNode v : rest.get(base).path("vertices")) {
            String name = v.path("name").asText();
            names.put(v.path("id").asText(), name.length() > 40 ? name.substring(0, 40) + "..." : name);
        }
        StringBuilder out = new StringBuilder(String.format(
                "slowest checkpoint %d (%d ms end to end), worst subtask per vertex, ms (start delay / alignment / sync / async):",
                id, ms));
        java.util.Iterator<String> vertices =
                rest.get(base + "/checkpoints/details/" + id).path("tasks").fieldNames();
        while (vertices.hasNext()) {
            String vertex = vertices.next();
            JsonNode sum = rest.get(base + "/checkpoints/details/" + id + "/subtasks/" + vertex)
                    .path("summary");
            out.append(String.format(
                    "%n        %s: %d / %d / %d / %d",
                    names.getOrDefault(vertex, vertex),
                    sum.path("start_delay").path("max").asLong(),
                    sum.path("alignment").path("duration").path("max").asLong(),
                    sum.path("checkpoint_duration").path("sync").path("max").asLong(),
                    sum.path("checkpoint_duration").path("async").path("max").asLong()));
        }
        return out.toString();
    }

    private static Map<String, String> flinkOptions(String spec) {
        Map<String, String> options = new HashMap<>();
        for (String entry : spec.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("bench.flink: expected key=value, got '" + entry + "'");
            }
            options.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        return Map.copyOf(options);
    }
}
