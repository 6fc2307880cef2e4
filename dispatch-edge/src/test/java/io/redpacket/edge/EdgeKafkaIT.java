package io.redpacket.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.OpenEvent;
import io.redpacket.edge.dispense.ShardTable;
import io.redpacket.edge.metrics.PrometheusText;
import io.redpacket.io.CampaignLayout;
import io.redpacket.kafka.LocalKafkaBroker;
import io.redpacket.keys.KeyRingStore;
import io.redpacket.net.TrustedProxies;
import io.redpacket.simulation.crowd.Crowd;
import io.redpacket.simulation.identity.IdentityServer;
import io.redpacket.simulation.identity.IdentityService;
import io.redpacket.testkit.GeneratedCampaign;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real edges over real sockets against a real KRaft broker (one per class): the hot path end to end. */
@Timeout(180)
class EdgeKafkaIT {
    static final String ADMIN_TOKEN = "it-admin-token-0123456789";
    static LocalKafkaBroker broker;
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** An answer of the edge: JSON, or the test fails. */
    static JsonNode answer(String body) throws java.io.IOException {
        return JSON.readTree(body);
    }

    @BeforeAll
    static void startBroker() throws Exception {
        Path dir = Path.of(System.getProperty("java.io.tmpdir")).resolve("kafka-edge-it-" + UUID.randomUUID());
        Files.createDirectories(dir);
        broker = LocalKafkaBroker.start(dir);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private Edge start(GeneratedCampaign c, EdgeSettings s, ShardTable table, Path state, String topic, EdgeClock clock)
            throws Exception {
        return start(c, s, table, state, topic, null, clock);
    }

    private Edge start(
            GeneratedCampaign c,
            EdgeSettings s,
            ShardTable table,
            Path state,
            String topic,
            String controlTopic,
            EdgeClock clock)
            throws Exception {
        Edge.Config config = Edge.Config.builder(
                        c.dir, s, table, state, GeneratedCampaign.PASSWORD.toCharArray(), c.sessionRingFile())
                .limits(EdgeServiceTest.NO_PACING)
                .kafka(broker.bootstrapServers(), topic, controlTopic, null)
                .deliveryTimeout(Duration.ofSeconds(60))
                .admin("127.0.0.1", 0, ADMIN_TOKEN)
                .ioThreads(2)
                .trustedProxies(TrustedProxies.parse("127.0.0.1"))
                .build();
        return Edge.assemble(config, clock).serve();
    }

    /** A shake or open as {@code user}, with the user's session and device. */
    static HttpResponse<String> as(GeneratedCampaign c, String user, int port, String path, String form)
            throws Exception {
        String f = "device=" + GeneratedCampaign.device(user) + (form.isEmpty() ? "" : "&" + form);
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(90))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Authorization", c.auth(user))
                        .POST(HttpRequest.BodyPublishers.ofString(f))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static CompletableFuture<HttpResponse<String>> asAsync(
            GeneratedCampaign c, String user, int port, String path, String form) {
        return HTTP.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(90))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Authorization", c.auth(user))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "device=" + GeneratedCampaign.device(user) + "&" + form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> admin(int port, String path, String form, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String get(int port, String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** An operator's switch on the control topic, acknowledged by the broker; returns its offset. */
    static long publish(String topic, ControlAction action, Integer keyId, Integer edgeId, Long value)
            throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            ControlCommand c = ControlCommand.newBuilder()
                    .setCommandId("it-" + UUID.randomUUID())
                    .setIssuedAtMs(System.currentTimeMillis())
                    .setOperator("it")
                    .setAction(action)
                    .setKeyId(keyId)
                    .setEdgeId(edgeId)
                    .setValue(value)
                    .build();
            return producer.send(new ProducerRecord<>(
                            topic, c.getCommandId(), c.toByteBuffer().array()))
                    .get()
                    .offset();
        }
    }

    static void awaitControlOffset(Edge edge, long offset) {
        await("control commands applied up to offset " + offset)
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> edge.service().controlOffset() >= offset);
    }

    static List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected, Duration wait) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + wait.toNanos();
            // Reads to the end offsets, so an extra (duplicate) record would be seen, not cut off at 'expected'.
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(parts));
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                boolean atEnd = parts.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
                if (atEnd && out.size() >= expected) {
                    break;
                }
                if (atEnd) {
                    end.putAll(consumer.endOffsets(parts));
                }
            }
        }
        return out;
    }

    /**
     * Users shake (carrying their state) and open everything they won, across a restart of the edge; some opens are
     * retried. Every opened envelope is in the topic exactly once, with the amount generation put in it, the user and
     * device of the session and the address the trusted proxy forwarded, and no envelope was handed out twice.
     */
    @Test
    void everyOpenedEnvelopeIsInTheTopicExactlyOnceAcrossARestart() throws Exception {
        String topic = "opens-" + UUID.randomUUID();
        broker.createTopic(topic, 3);
        GeneratedCampaign c = GeneratedCampaign.builder()
                .shards(2)
                .sponsors(4)
                .perAllocation(15)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        EdgeSettings s = EdgeSettings.builder(1)
                .reservationBlock(5)
                .dispensePerSecond(1_000_000)
                .build();
        ShardTable table = ShardTable.primaryOnly(1, List.of(0, 1));
        Map<String, String> tokens = new HashMap<>();
        Map<String, String> states = new HashMap<>();
        Map<Long, Long> opened = new HashMap<>();
        try (Edge edge = start(c, s, table, tmp.resolve("state"), topic, clock)) {
            shakeAndOpen(edge.server().port(), 0, 12, tokens, states, opened, c);
        }
        try (Edge edge = start(c, s, table, tmp.resolve("state"), topic, clock)) {
            int port = edge.server().port();
            tokens.clear();
            shakeAndOpen(port, 12, 40, tokens, states, opened, c);
            // a client retry of an answered open: same answer, no second event
            String user = tokens.keySet().iterator().next();
            HttpResponse<String> again = as(c, user, port, "/open", "token=" + tokens.get(user));
            assertThat(again.statusCode()).isEqualTo(200);
            String metrics = get(port, "/metrics");
            PrometheusText exposition = PrometheusText.parse(metrics);
            assertThat(exposition.count("redpacket_edge_opens_replayed_total", "edge", "1"))
                    .isEqualTo(1);
            assertThat(exposition.count("redpacket_edge_final_system_failures_total", "edge", "1"))
                    .isZero();
        }
        assertThat(opened.size()).isGreaterThan(40).isLessThanOrEqualTo((int) c.envelopeCount());

        List<ConsumerRecord<String, byte[]>> records = readAll(topic, opened.size(), Duration.ofSeconds(30));
        Map<Long, Integer> seen = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            OpenEvent e = OpenEvent.fromByteBuffer(ByteBuffer.wrap(r.value()));
            assertThat(r.key()).isEqualTo(Long.toString(e.getEnvelopeId()));
            assertThat(e.getAmountFen()).isEqualTo(c.amountFen(e.getEnvelopeId()));
            assertThat(e.getEdgeId()).isEqualTo(1);
            assertThat(e.getDeviceId()).isEqualTo(GeneratedCampaign.device(e.getUserId()));
            assertThat(e.getIp()).isEqualTo("127.0.0.1");
            seen.merge(e.getEnvelopeId(), 1, Integer::sum);
        }
        assertThat(seen).containsOnlyKeys(opened.keySet());
        assertThat(seen.values()).allMatch(n -> n == 1);
    }

    private static void shakeAndOpen(
            int port,
            int fromUser,
            int toUser,
            Map<String, String> tokens,
            Map<String, String> states,
            Map<Long, Long> opened,
            GeneratedCampaign c)
            throws Exception {
        for (int round = 0; round < 6; round++) {
            for (int u = fromUser; u < toUser; u++) {
                String user = "user" + u;
                HttpResponse<String> res =
                        as(c, user, port, "/shake", states.containsKey(user) ? "state=" + states.get(user) : "");
                JsonNode j = answer(res.body());
                if (j.has("state")) {
                    states.put(user, j.required("state").asText());
                }
                if ("envelope".equals(j.required("result").asText())) {
                    tokens.put(user, j.required("token").asText());
                    HttpResponse<String> open = as(
                            c,
                            user,
                            port,
                            "/open",
                            "token=" + j.required("token").asText());
                    assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
                    JsonNode o = answer(open.body());
                    long id = o.required("envelopeId").asLong();
                    assertThat(o.required("amountFen").asLong()).isEqualTo(c.amountFen(id));
                    assertThat(opened.put(id, o.required("amountFen").asLong()))
                            .as("envelope %d dispensed twice", id)
                            .isNull();
                }
            }
        }
    }

    /**
     * Defect 10: switches reach edges through the control topic. While running, a blacklist and a rate switch apply
     * (acknowledged by the edge's control offset); an edge that was down while switches were pulled applies every
     * one of them, in order, before it answers its first shake after the restart.
     */
    @Test
    void defect10_switchesComeFromTheControlTopicAndARestartedEdgeAppliesWhatItMissedBeforeDispensing()
            throws Exception {
        String topic = "opens-" + UUID.randomUUID();
        String control = "control-" + UUID.randomUUID();
        broker.createTopic(topic, 1);
        broker.createTopic(control, 1);
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(4)
                .perAllocation(40)
                .rotatingKeys()
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 - 60_000);
        ShardTable table = ShardTable.primaryOnly(7, List.of(0));
        // The countdown: the show starts a minute early on every edge.
        publish(control, ControlAction.SHIFT_COUNTDOWN, null, null, -61_000L);
        int key;
        try (Edge edge = start(c, EdgeSettings.defaults(7), table, tmp.resolve("state"), topic, control, clock)) {
            int port = edge.server().port();
            assertThat(edge.service().controlOffset())
                    .as("caught up before serving")
                    .isEqualTo(1);
            JsonNode shake = answer(as(c, "u1", port, "/shake", "").body());
            assertThat(shake.path("result").asText()).isEqualTo("envelope");
            key = c.keyId(EdgeServiceTest.envelopeId(c, shake.required("token").asText(), "u1"));
            awaitControlOffset(edge, publish(control, ControlAction.BLACKLIST_KEY, key, null, null) + 1);
            HttpResponse<String> open = as(
                    c, "u1", port, "/open", "token=" + shake.required("token").asText());
            assertThat(open.statusCode()).isEqualTo(403);
            assertThat(answer(open.body()).path("reason").asText()).isEqualTo("BLACKLISTED_KEY");
            awaitControlOffset(edge, publish(control, ControlAction.SET_DISPENSE_RATE, null, null, 10L) + 1);
            clock.advance(1000);
            assertThat(answer(as(c, "u2", port, "/shake", "").body())
                            .path("result")
                            .asText())
                    .isEqualTo("envelope");
            assertThat(answer(as(c, "u3", port, "/shake", "").body())
                            .path("result")
                            .asText())
                    .isEqualTo("slow_down");
            String metrics = get(port, "/metrics");
            PrometheusText exposition = PrometheusText.parse(metrics);
            assertThat(exposition.count("redpacket_edge_open_rejects_total", "edge", "7", "reason", "BLACKLISTED_KEY"))
                    .isEqualTo(1);
            assertThat(exposition.count("redpacket_edge_control_offset", "edge", "7"))
                    .isEqualTo(3);
            assertThat(exposition.count("redpacket_edge_control_applied_total", "edge", "7"))
                    .isEqualTo(3);
            assertThat(get(edge.server().adminPort(), "/admin/status"))
                    .contains("\"controlOffset\":3", "\"blacklist\":\"" + key + "\"", "\"ratePerSecond\":10");
        }
        // Down: the operators pause dispensing, lift the rate, and say so to edge 7 only.
        publish(control, ControlAction.PAUSE_DISPENSING, null, null, null);
        publish(control, ControlAction.SET_DISPENSE_RATE, null, 7, 1_000_000L);
        publish(control, ControlAction.SET_DISPENSE_RATE, null, 8, 1L);
        clock.advance(1000);
        try (Edge edge = start(c, EdgeSettings.defaults(7), table, tmp.resolve("state"), topic, control, clock)) {
            int port = edge.server().port();
            assertThat(answer(as(c, "u4", port, "/shake", "").body())
                            .path("detail")
                            .asText())
                    .as("the very first shake after the restart")
                    .isEqualTo("paused");
            assertThat(edge.service().controlOffset()).isEqualTo(6);
            assertThat(edge.service().rate()).isEqualTo(1_000_000L);
            assertThat(edge.service().blacklist().isBlocked(key)).isTrue();
            assertThat(edge.service().dispenser().schedule().shiftMs()).isEqualTo(-61_000L);
            awaitControlOffset(edge, publish(control, ControlAction.RESUME_DISPENSING, null, null, null) + 1);
            for (int u = 5; u < 30; u++) {
                JsonNode j = answer(as(c, "u" + u, port, "/shake", "").body());
                if ("envelope".equals(j.required("result").asText())) {
                    assertThat(c.keyId(EdgeServiceTest.envelopeId(
                                    c, j.required("token").asText(), "u" + u)))
                            .as("blacklisted key dispensed")
                            .isNotEqualTo(key);
                }
            }
        }
        assertThat(readAll(topic, 0, Duration.ofSeconds(3))).isEmpty();
    }

    /**
     * Every second the edge publishes its own LiveMetric records (source edge-<id>, cumulative counters, switch states
     * and its control offset) through its producer to the metrics topic: what the dashboard reads from.
     */
    @Test
    void publishesItsLiveMetricsEverySecondThroughItsProducer() throws Exception {
        String topic = "opens-" + UUID.randomUUID();
        String metricsTopic = "metrics-" + UUID.randomUUID();
        String control = "control-" + UUID.randomUUID();
        broker.createTopic(topic, 1);
        broker.createTopic(metricsTopic, 1);
        broker.createTopic(control, 1);
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(4)
                .perAllocation(20)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        Edge.Config config = Edge.Config.builder(
                        c.dir,
                        EdgeSettings.defaults(5),
                        ShardTable.primaryOnly(5, List.of(0)),
                        tmp.resolve("state"),
                        GeneratedCampaign.PASSWORD.toCharArray(),
                        c.sessionRingFile())
                .limits(EdgeServiceTest.NO_PACING)
                .kafka(broker.bootstrapServers(), topic, control, metricsTopic)
                .ioThreads(1)
                .build();
        try (Edge edge = Edge.assemble(config, clock).serve()) {
            int port = edge.server().port();
            assertThat(answer(as(c, "u1", port, "/shake", "").body())
                            .path("result")
                            .asText())
                    .isEqualTo("envelope");
            assertThat(answer(as(c, "u2", port, "/shake", "").body())
                            .path("result")
                            .asText())
                    .isEqualTo("envelope");
            awaitControlOffset(edge, publish(control, ControlAction.PAUSE_DISPENSING, null, null, null) + 1);
            assertThat(answer(as(c, "u3", port, "/shake", "").body())
                            .path("detail")
                            .asText())
                    .isEqualTo("paused");

            // Records of one second carry the same windowEndMs; wait for a second that shows the pause.
            Map<String, Long> latest = await("a second of live metrics that shows the pause")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> latestLiveMetrics(metricsTopic), m -> m.getOrDefault("paused", 0L) == 1);
            assertThat(latest)
                    .containsEntry("paused", 1L)
                    .containsEntry("dispensed", 2L)
                    .containsEntry("shakes", 3L)
                    .containsEntry("dispense_rate", EdgeSettings.defaults(5).dispensePerSecond())
                    .containsEntry("final_failures", 0L)
                    .containsEntry("control_offset", 1L)
                    .containsKeys("opens_enqueued", "countdown_shift_ms", "in_flight_opens", "rate_limited");
        }
        assertThat(readAll(topic, 0, Duration.ofSeconds(2))).isEmpty();
    }

    /** The newest value of each live metric the edge published on {@code topic} so far. */
    private static Map<String, Long> latestLiveMetrics(String topic) throws java.io.IOException {
        Map<String, Long> latest = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(topic, 1, Duration.ofSeconds(2))) {
            io.redpacket.avro.LiveMetric m = io.redpacket.avro.LiveMetric.fromByteBuffer(ByteBuffer.wrap(r.value()));
            assertThat(r.key()).isEqualTo("edge-5");
            assertThat(m.getSource()).isEqualTo("edge-5");
            latest.put(m.getName(), m.getValue());
        }
        return latest;
    }

    /**
     * Kafka down: opens wait (in flight, never blocking the event loop); beyond the shake threshold shakes are shed
     * with 503 slow-down while opens are still taken; beyond the open limit opens are shed too. When Kafka is back
     * the waiting opens are answered with their amounts and each is in the topic once.
     */
    @Test
    void whileKafkaIsDownShakesAreShedFirstAndWaitingOpensCompleteWhenItReturns() throws Exception {
        String topic = "opens-" + UUID.randomUUID();
        broker.createTopic(topic, 1);
        GeneratedCampaign c = GeneratedCampaign.builder()
                .sponsors(4)
                .perAllocation(20)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        EdgeSettings s =
                EdgeSettings.builder(3).maxInFlightOpens(2).shedShakesAbove(1).build();
        try (Edge edge = start(c, s, ShardTable.primaryOnly(3, List.of(0)), tmp.resolve("state"), topic, clock)) {
            int port = edge.server().port();
            List<String> tokens = new ArrayList<>();
            for (int u = 0; u < 3; u++) {
                tokens.add(answer(as(c, "w" + u, port, "/shake", "").body())
                        .required("token")
                        .asText());
            }
            broker.stop();
            CompletableFuture<HttpResponse<String>> first = asAsync(c, "w0", port, "/open", "token=" + tokens.get(0));
            awaitInFlight(edge, 1);
            HttpResponse<String> shed = as(c, "late", port, "/shake", "");
            assertThat(shed.statusCode()).isEqualTo(503);
            assertThat(shed.headers().firstValue("Retry-After")).isPresent();
            assertThat(answer(shed.body()).path("result").asText()).isEqualTo("slow_down");
            CompletableFuture<HttpResponse<String>> second = asAsync(c, "w1", port, "/open", "token=" + tokens.get(1));
            awaitInFlight(edge, 2);
            HttpResponse<String> third = as(c, "w2", port, "/open", "token=" + tokens.get(2));
            assertThat(third.statusCode()).isEqualTo(503);
            assertThat(answer(third.body()).path("result").asText()).isEqualTo("retry");
            assertThat(first.isDone()).isFalse();
            broker.restart();
            assertThat(first.get().statusCode()).as(first.get().body()).isEqualTo(200);
            assertThat(second.get().statusCode()).isEqualTo(200);
            HttpResponse<String> retried = as(c, "w2", port, "/open", "token=" + tokens.get(2));
            assertThat(retried.statusCode()).isEqualTo(200);
        }
        List<ConsumerRecord<String, byte[]>> records = readAll(topic, 3, Duration.ofSeconds(30));
        assertThat(records).hasSize(3);
        assertThat(records.stream().map(ConsumerRecord::key).distinct()).hasSize(3);
    }

    private static void awaitInFlight(Edge edge, int n) {
        await("opens in flight reach " + n)
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> edge.service().inFlightOpens() == n);
    }

    /**
     * The crowd against two edges and the local identity service: every account registers and logs in; honest users
     * and fraudsters, including stolen and expired sessions. Ground truth and the identity logs are written; honest
     * users never get more than three envelopes; forged and stolen tokens are refused at the edge, and so are expired
     * sessions and stolen ones presented from another device; every opened envelope is in the topic exactly once,
     * with the address the user came from.
     */
    @Test
    void crowdOfHonestAndFraudulentUsersLeavesGroundTruthAndAnExactTopic() throws Exception {
        String topic = "opens-" + UUID.randomUUID();
        broker.createTopic(topic, 2);
        String control = "control-" + UUID.randomUUID();
        broker.createTopic(control, 1);
        GeneratedCampaign c = GeneratedCampaign.builder()
                .shards(2)
                .sponsors(4)
                .perAllocation(100)
                .sessionRing()
                .build(tmp.resolve("v"));
        EdgeSettings base = EdgeSettings.builder(1)
                .dispensePerSecond(1_000_000)
                .maxInFlightOpens(1000)
                .shedShakesAbove(500)
                .shakeIntervalMs(300)
                .reservationBlock(50)
                .userCacheSize(1 << 12)
                .build();
        // Sessions are issued on the wall clock, so these edges run on it too: the countdown is shifted (control
        // topic) so the campaign's first slot is running now.
        publish(
                control,
                ControlAction.SHIFT_COUNTDOWN,
                null,
                null,
                System.currentTimeMillis() - (GeneratedCampaign.T0 + 1000));
        IdentityService identity = new IdentityService(
                KeyRingStore.load(c.sessionRingFile(), GeneratedCampaign.PASSWORD.toCharArray())
                        .sessionOnly(),
                600);
        try (IdentityServer ids = IdentityServer.start(
                        identity, "127.0.0.1", 0, tmp.resolve("identity"), TrustedProxies.parse("127.0.0.1"));
                Edge e1 = start(
                        c, base, ShardTable.parse("0:1/2,1:2/1"), tmp.resolve("e1"), topic, control, EdgeClock.SYSTEM);
                Edge e2 = start(
                        c,
                        base.toBuilder().edgeId(2).build(),
                        ShardTable.parse("0:1/2,1:2/1"),
                        tmp.resolve("e2"),
                        topic,
                        control,
                        EdgeClock.SYSTEM)) {
            Map<Integer, URI> edges = Map.of(
                    1,
                    URI.create("http://127.0.0.1:" + e1.server().port()),
                    2,
                    URI.create("http://127.0.0.1:" + e2.server().port()));
            Crowd crowd = new Crowd(new Crowd.Config(
                    edges,
                    URI.create("http://127.0.0.1:" + ids.port()),
                    160,
                    0.5,
                    Duration.ofSeconds(5),
                    64,
                    7,
                    300,
                    5,
                    1000,
                    true));
            // Registration is preparation: every account is registered before the gate, and nobody has shaken yet.
            long[] atGate = new long[3];
            Map<String, Long> counts = crowd.run(tmp.resolve("truth"), accounts -> {
                atGate[0] = accounts;
                atGate[1] = identity.accounts();
                atGate[2] = e1.service().metrics().shakes.sum()
                        + e2.service().metrics().shakes.sum();
            });
            assertThat(atGate[0]).isEqualTo(atGate[1]).isGreaterThanOrEqualTo(160);
            assertThat(atGate[2]).as("shakes before the gate opened").isZero();
            assertThat(counts.getOrDefault("shake.envelope", 0L)).isGreaterThan(50);
            assertThat(counts.getOrDefault("open.opened", 0L)).isGreaterThan(30);
            assertThat(counts.getOrDefault("forged-open.opened", 0L)).isZero();
            assertThat(counts.getOrDefault("stolen-open.opened", 0L)).isZero();
            assertThat(counts.getOrDefault("shake.unauthenticated", 0L))
                    .as("expired sessions refused")
                    .isGreaterThan(0);
            assertThat(counts.getOrDefault("register.ok", 0L)).isGreaterThanOrEqualTo(160);
            assertThat(e1.service().metrics().unauthenticatedTotal()
                            + e2.service().metrics().unauthenticatedTotal())
                    .isGreaterThan(0);
        }
        assertThat(tmp.resolve("identity").resolve(IdentityService.REGISTRATIONS))
                .isRegularFile();
        List<io.redpacket.avro.AccountRegistration> regs = io.redpacket.io.AvroFiles.readAll(
                tmp.resolve("identity").resolve(IdentityService.REGISTRATIONS),
                io.redpacket.avro.AccountRegistration.class);
        assertThat(regs).hasSizeGreaterThanOrEqualTo(160);
        assertThat(regs.get(regs.size() - 1).getRegistrationSeq()).isEqualTo(regs.size());
        assertThat(io.redpacket.io.AvroFiles.readAll(
                        tmp.resolve("identity").resolve(IdentityService.SESSIONS),
                        io.redpacket.avro.SessionIssued.class))
                .isNotEmpty()
                .allMatch(si -> si.getSessionHash().length() == 32);
        Path truth = tmp.resolve("truth");
        List<io.redpacket.avro.CrowdAccount> users = io.redpacket.io.AvroFiles.readAll(
                truth.resolve(Crowd.USERS_FILE), io.redpacket.avro.CrowdAccount.class);
        // One record per account: the users, and an accomplice's after each replayer's.
        assertThat(users.stream().filter(u -> !u.getBehaviour().equals(Crowd.ACCOMPLICE)))
                .hasSize(160);
        assertThat(users.stream()
                        .filter(u -> u.getBehaviour().equals(Crowd.ACCOMPLICE))
                        .count())
                .isEqualTo(users.stream()
                        .filter(u -> u.getBehaviour().equals("REPLAY"))
                        .count())
                .isPositive();
        Map<String, String> ipOf = new HashMap<>();
        Map<String, String> behaviourOf = new HashMap<>();
        for (io.redpacket.avro.CrowdAccount u : users) {
            assertThat(u.getFraud()).isEqualTo(!u.getBehaviour().equals("HONEST"));
            assertThat(u.getDeviceIds()).startsWith(u.getDeviceId());
            assertThat(u.getIps()).startsWith(u.getIp());
            behaviourOf.put(u.getUserId(), u.getBehaviour());
            ipOf.put(u.getUserId(), u.getIp());
        }
        assertThat(new java.util.HashSet<>(behaviourOf.values()))
                .contains("HONEST", "FORGE", "REPLAY", "STOLEN_SESSION", "EXPIRED_SESSION");
        Map<String, Integer> wins = new HashMap<>();
        long opened = 0;
        for (String line : Files.readAllLines(truth.resolve("actions.csv")).stream()
                .skip(1)
                .toList()) {
            String[] f = line.split(",", -1);
            if (f[3].equals("shake") && f[6].equals("envelope")) {
                wins.merge(f[1], 1, Integer::sum);
            }
            if ((f[3].equals("open") || f[3].equals("hijack-open")) && f[6].equals("opened")) {
                opened++;
            }
        }
        wins.forEach((u, n) -> {
            if (behaviourOf.get(u).equals("HONEST")) {
                assertThat(n).as("envelopes of honest %s", u).isLessThanOrEqualTo(3);
            }
        });
        assertThat(opened).isGreaterThan(30);
        List<ConsumerRecord<String, byte[]>> records = readAll(topic, (int) opened, Duration.ofSeconds(30));
        Map<String, Integer> perEnvelope = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            OpenEvent e = OpenEvent.fromByteBuffer(ByteBuffer.wrap(r.value()));
            perEnvelope.merge(r.key(), 1, Integer::sum);
            if (behaviourOf.get(e.getUserId()) != null && !behaviourOf.containsValue("STOLEN_SESSION")) {
                assertThat(e.getIp()).isEqualTo(ipOf.get(e.getUserId()));
            }
        }
        assertThat(perEnvelope.values()).allMatch(n -> n == 1);
        assertThat((long) perEnvelope.size()).isEqualTo(opened);
    }

    /**
     * Two edges, shard 0 owned by edge 1 with edge 2 as backup. Edge 1 is declared dead through the control topic
     * during slot 1: edge 2 keeps serving only its own shard in slot 1 (edge 1's current file is abandoned), and from
     * slot 2 on serves edge 1's shard too. Caps hold over HTTP with the state blob; every open is in the topic once.
     */
    @Test
    void failoverToTheBackupOnTheNextSlotAndCapsOverHttp() throws Exception {
        String topic = "opens-" + UUID.randomUUID();
        String control = "control-" + UUID.randomUUID();
        broker.createTopic(topic, 2);
        broker.createTopic(control, 1);
        GeneratedCampaign c = GeneratedCampaign.builder()
                .slots(2)
                .shards(2)
                .sponsors(5)
                .perAllocation(10)
                .sessionRing()
                .build(tmp.resolve("v"));
        ManualClock clock = new ManualClock(GeneratedCampaign.T0 + 1000);
        String spec = "0:1/2,1:2/1";
        EdgeSettings s2 = EdgeSettings.builder(2).dispensePerSecond(1_000_000).build();
        try (Edge e1 = start(
                        c,
                        EdgeSettings.builder(1).dispensePerSecond(1_000_000).build(),
                        ShardTable.parse(spec),
                        tmp.resolve("e1"),
                        topic,
                        control,
                        clock);
                Edge e2 = start(c, s2, ShardTable.parse(spec), tmp.resolve("e2"), topic, control, clock)) {
            int p2 = e2.server().port();
            // caps over HTTP: one user, state carried, at most 3 envelopes from 3 sponsors
            String state = null;
            List<String> sponsors = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                JsonNode j = answer(as(c, "capper", p2, "/shake", state == null ? "" : "state=" + state)
                        .body());
                state = j.path("state").asText(state);
                if ("envelope".equals(j.required("result").asText())) {
                    sponsors.add(j.required("sponsorId").asText());
                    assertThat(as(
                                            c,
                                            "capper",
                                            p2,
                                            "/open",
                                            "token=" + j.required("token").asText())
                                    .statusCode())
                            .isEqualTo(200);
                }
            }
            assertThat(sponsors).hasSize(3).doesNotHaveDuplicates();
            assertThat(answer(as(c, "capper", p2, "/shake", "state=" + state).body())
                            .path("result")
                            .asText())
                    .isEqualTo("capped");

            long offset = publish(control, ControlAction.DECLARE_EDGE_DEAD, null, 1, 1L) + 1;
            awaitControlOffset(e1, offset);
            awaitControlOffset(e2, offset);
            assertThat(get(e2.server().adminPort(), "/admin/status")).contains("\"deadEdges\":\"1@1\"");
            Map<String, Integer> filesSlot1 = drainOver(c, p2, "a");
            assertThat(filesSlot1.keySet()).containsExactly(CampaignLayout.envelopeFile("s1", 1));
            clock.set(GeneratedCampaign.T0 + GeneratedCampaign.SLOT_MS + 1000);
            Map<String, Integer> filesSlot2 = drainOver(c, p2, "b");
            assertThat(filesSlot2)
                    .containsOnlyKeys(CampaignLayout.envelopeFile("s2", 0), CampaignLayout.envelopeFile("s2", 1));
            assertThat(filesSlot2.values().stream().mapToInt(Integer::intValue).sum())
                    .isEqualTo(50);
            assertThat(answer(as(c, "z", e1.server().port(), "/shake", "").body())
                            .path("result")
                            .asText())
                    .isEqualTo("nothing");
        }
        List<ConsumerRecord<String, byte[]>> records = readAll(topic, 3 + 22 + 50, Duration.ofSeconds(30));
        assertThat(records.stream().map(ConsumerRecord::key).distinct().count()).isEqualTo(records.size());
        assertThat(records).hasSizeGreaterThanOrEqualTo(3 + 50);
    }

    /** Shakes with fresh users until nothing is left, opening each envelope; counts envelopes per source file. */
    private static Map<String, Integer> drainOver(GeneratedCampaign c, int port, String prefix) throws Exception {
        Map<String, Integer> files = new HashMap<>();
        for (int u = 0; u < 200; u++) {
            JsonNode j = answer(as(c, prefix + u, port, "/shake", "").body());
            if (!"envelope".equals(j.required("result").asText())) {
                break;
            }
            HttpResponse<String> open = as(
                    c, prefix + u, port, "/open", "token=" + j.required("token").asText());
            assertThat(open.statusCode()).isEqualTo(200);
            files.merge(c.fileOf(answer(open.body()).required("envelopeId").asLong()), 1, Integer::sum);
        }
        return files;
    }
}
