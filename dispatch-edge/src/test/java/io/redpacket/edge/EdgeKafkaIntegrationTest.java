package io.redpacket.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.OpenEvent;
import io.redpacket.io.FlatJson;
import io.redpacket.kafka.LocalKafkaBroker;
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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real edges over real sockets against a real KRaft broker (one per class): the hot path end to end. */
@Timeout(180)
class EdgeKafkaIntegrationTest {
    static final String ADMIN_TOKEN = "it-admin-token-0123456789";
    static LocalKafkaBroker broker;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir Path tmp;

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

    private Edge start(TestCampaign c, EdgeSettings s, ShardTable table, Path state, String topic, EdgeClock clock) throws Exception {
        return start(c, s, table, state, topic, clock, false);
    }

    private Edge start(TestCampaign c, EdgeSettings s, ShardTable table, Path state, String topic, EdgeClock clock, boolean trustForwardedFor)
            throws Exception {
        Edge.Config config = new Edge.Config(c.dir, s, table, state, TestCampaign.PASSWORD, broker.bootstrapServers(), topic,
                Duration.ofSeconds(60), true, "127.0.0.1", 0, "127.0.0.1", 0, ADMIN_TOKEN, 2, trustForwardedFor);
        return Edge.assemble(config, clock).serve(config);
    }


    static HttpResponse<String> post(int port, String path, String form, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static CompletableFuture<HttpResponse<String>> postAsync(int port, String path, String form) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(90))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static List<ConsumerRecord<String, byte[]>> readAll(String topic, int expected, Duration wait) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
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
     * retried. Every opened envelope is in the topic exactly once, with the amount generation put in it, and no
     * envelope was handed out twice.
     */
    @Test
    void everyOpenedEnvelopeIsInTheTopicExactlyOnceAcrossARestart() throws Exception {
        String topic = "opens-" + UUID.randomUUID();
        broker.createTopic(topic, 3);
        TestCampaign c = TestCampaign.create(tmp.resolve("v"), 1, 2, 4, 15);
        ManualClock clock = new ManualClock(TestCampaign.T0 + 1000);
        EdgeSettings s = EdgeSettings.defaults(1).withReservationBlock(5).withRate(1_000_000);
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
            HttpResponse<String> again = post(port, "/open", "user=" + user + "&token=" + tokens.get(user), null);
            assertThat(again.statusCode()).isEqualTo(200);
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("redpacket_edge_opens_replayed_total{edge=\"1\"} 1", "redpacket_edge_final_system_failures_total{edge=\"1\"} 0");
        }
        assertThat(opened.size()).isGreaterThan(40).isLessThanOrEqualTo((int) c.totalEnvelopes);

        List<ConsumerRecord<String, byte[]>> records = readAll(topic, opened.size(), Duration.ofSeconds(30));
        Map<Long, Integer> seen = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            OpenEvent e = OpenEvent.fromByteBuffer(ByteBuffer.wrap(r.value()));
            assertThat(r.key()).isEqualTo(Long.toString(e.getEnvelopeId()));
            assertThat(e.getAmountFen()).isEqualTo(c.amountById.get(e.getEnvelopeId()));
            assertThat(e.getEdgeId()).isEqualTo(1);
            assertThat(e.getIp()).isEqualTo("127.0.0.1");
            seen.merge(e.getEnvelopeId(), 1, Integer::sum);
        }
        assertThat(seen).containsOnlyKeys(opened.keySet());
        assertThat(seen.values()).allMatch(n -> n == 1);
    }

    private static void shakeAndOpen(int port, int fromUser, int toUser, Map<String, String> tokens, Map<String, String> states,
                                     Map<Long, Long> opened, TestCampaign c) throws Exception {
        for (int round = 0; round < 6; round++) {
            for (int u = fromUser; u < toUser; u++) {
                String user = "user" + u;
                String form = "user=" + user + (states.containsKey(user) ? "&state=" + states.get(user) : "");
                HttpResponse<String> res = post(port, "/shake", form, null);
                Map<String, String> j = FlatJson.fields(res.body());
                if (j.containsKey("state")) {
                    states.put(user, j.get("state"));
                }
                if ("envelope".equals(j.get("result"))) {
                    tokens.put(user, j.get("token"));
                    HttpResponse<String> open = post(port, "/open", "user=" + user + "&token=" + j.get("token") + "&device=dev-" + u, null);
                    assertThat(open.statusCode()).as(open.body()).isEqualTo(200);
                    Map<String, String> o = FlatJson.fields(open.body());
                    long id = Long.parseLong(o.get("envelopeId"));
                    assertThat(Long.parseLong(o.get("amountFen"))).isEqualTo(c.amountById.get(id));
                    assertThat(opened.put(id, Long.parseLong(o.get("amountFen")))).as("envelope %d dispensed twice", id).isNull();
                }
            }
        }
    }

    /** Operator switches over the authenticated admin port: blacklisted key refused at open, rate cut to a trickle. */
    @Test
    void blacklistAndRateSwitchesApplyWhileRunning() throws Exception {
        String topic = "opens-" + UUID.randomUUID();
        broker.createTopic(topic, 1);
        TestCampaign c = TestCampaign.create(tmp.resolve("v"), 1, 1, 4, 20);
        ManualClock clock = new ManualClock(TestCampaign.T0 + 1000);
        try (Edge edge = start(c, EdgeSettings.defaults(7), ShardTable.primaryOnly(7, List.of(0)), tmp.resolve("state"), topic, clock)) {
            int port = edge.server().port();
            int admin = edge.server().adminPort();
            Map<String, String> shake = FlatJson.fields(post(port, "/shake", "user=u1", null).body());
            long id = EdgeServiceTest.envelopeId(c, shake.get("token"), "u1");
            int key = c.keyById.get(id);
            assertThat(post(admin, "/admin/blacklist", "keyId=" + key, "wrong-token-000000000000").statusCode()).isEqualTo(401);
            assertThat(post(admin, "/admin/blacklist", "keyId=" + key, ADMIN_TOKEN).statusCode()).isEqualTo(200);
            HttpResponse<String> open = post(port, "/open", "user=u1&token=" + shake.get("token"), null);
            assertThat(open.statusCode()).isEqualTo(403);
            assertThat(FlatJson.fields(open.body())).containsEntry("reason", "BLACKLISTED_KEY");

            assertThat(post(admin, "/admin/rate", "perSecond=10", ADMIN_TOKEN).body()).contains("\"ratePerSecond\":10");
            clock.advance(1000);
            assertThat(FlatJson.fields(post(port, "/shake", "user=u2", null).body())).containsEntry("result", "envelope");
            Map<String, String> slow = FlatJson.fields(post(port, "/shake", "user=u3", null).body());
            assertThat(slow).containsEntry("result", "slow_down");
            assertThat(Long.parseLong(slow.get("retryAfterMs"))).isBetween(1L, 200L);
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("redpacket_edge_open_rejects_total{edge=\"7\",reason=\"BLACKLISTED_KEY\"} 1",
                    "redpacket_edge_slow_downs_total{edge=\"7\",cause=\"quota\"} 1");
            assertThat(Files.readString(tmp.resolve("state").resolve(AdminService.SWITCHES_FILE))).contains("blacklist=" + key);
        }
        assertThat(readAll(topic, 0, Duration.ofSeconds(3))).isEmpty();
    }

    /**
     * Every second the edge publishes its own LiveMetric records (source edge-<id>, cumulative counters and switch
     * states) through its producer to the metrics topic: what the dashboard reads dispensed per second from.
     */
    @Test
    void publishesItsLiveMetricsEverySecondThroughItsProducer() throws Exception {
        String topic = "opens-" + UUID.randomUUID();
        String metricsTopic = "metrics-" + UUID.randomUUID();
        broker.createTopic(topic, 1);
        broker.createTopic(metricsTopic, 1);
        TestCampaign c = TestCampaign.create(tmp.resolve("v"), 1, 1, 4, 20);
        ManualClock clock = new ManualClock(TestCampaign.T0 + 1000);
        Edge.Config config = new Edge.Config(c.dir, EdgeSettings.defaults(5), ShardTable.primaryOnly(5, List.of(0)), tmp.resolve("state"),
                TestCampaign.PASSWORD, broker.bootstrapServers(), topic, Duration.ofSeconds(60), true, "127.0.0.1", 0, "127.0.0.1", 0,
                ADMIN_TOKEN, 1, false, metricsTopic);
        try (Edge edge = Edge.assemble(config, clock).serve(config)) {
            int port = edge.server().port();
            assertThat(FlatJson.fields(post(port, "/shake", "user=u1", null).body())).containsEntry("result", "envelope");
            assertThat(FlatJson.fields(post(port, "/shake", "user=u2", null).body())).containsEntry("result", "envelope");
            assertThat(post(edge.server().adminPort(), "/admin/pause", "", ADMIN_TOKEN).statusCode()).isEqualTo(200);
            assertThat(FlatJson.fields(post(port, "/shake", "user=u3", null).body())).containsEntry("detail", "paused");

            // Records of one second carry the same windowEndMs; wait for a second that shows the pause.
            Map<String, Long> latest = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && latest.getOrDefault("paused", 0L) != 1) {
                latest.clear();
                for (ConsumerRecord<String, byte[]> r : readAll(metricsTopic, 1, Duration.ofSeconds(2))) {
                    io.redpacket.avro.LiveMetric m = io.redpacket.avro.LiveMetric.fromByteBuffer(ByteBuffer.wrap(r.value()));
                    assertThat(r.key()).isEqualTo("edge-5");
                    assertThat(m.getSource()).isEqualTo("edge-5");
                    latest.put(m.getName(), m.getValue());
                }
            }
            assertThat(latest).containsEntry("paused", 1L).containsEntry("dispensed", 2L).containsEntry("shakes", 3L)
                    .containsEntry("dispense_rate", EdgeSettings.defaults(5).dispensePerSecond()).containsEntry("final_failures", 0L)
                    .containsKeys("opens_enqueued", "countdown_shift_ms", "in_flight_opens");
        }
        assertThat(readAll(topic, 0, Duration.ofSeconds(2))).isEmpty();
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
        TestCampaign c = TestCampaign.create(tmp.resolve("v"), 1, 1, 4, 20);
        ManualClock clock = new ManualClock(TestCampaign.T0 + 1000);
        EdgeSettings s = EdgeSettings.defaults(3).withInFlight(2, 1);
        try (Edge edge = start(c, s, ShardTable.primaryOnly(3, List.of(0)), tmp.resolve("state"), topic, clock)) {
            int port = edge.server().port();
            List<String> tokens = new ArrayList<>();
            for (int u = 0; u < 3; u++) {
                tokens.add(FlatJson.fields(post(port, "/shake", "user=w" + u, null).body()).get("token"));
            }
            broker.stop();
            CompletableFuture<HttpResponse<String>> first = postAsync(port, "/open", "user=w0&token=" + tokens.get(0));
            awaitInFlight(edge, 1);
            HttpResponse<String> shed = post(port, "/shake", "user=late", null);
            assertThat(shed.statusCode()).isEqualTo(503);
            assertThat(FlatJson.fields(shed.body())).containsEntry("result", "slow_down");
            CompletableFuture<HttpResponse<String>> second = postAsync(port, "/open", "user=w1&token=" + tokens.get(1));
            awaitInFlight(edge, 2);
            HttpResponse<String> third = post(port, "/open", "user=w2&token=" + tokens.get(2), null);
            assertThat(third.statusCode()).isEqualTo(503);
            assertThat(FlatJson.fields(third.body())).containsEntry("result", "retry");
            assertThat(first.isDone()).isFalse();
            broker.restart();
            assertThat(first.get().statusCode()).as(first.get().body()).isEqualTo(200);
            assertThat(second.get().statusCode()).isEqualTo(200);
            HttpResponse<String> retried = post(port, "/open", "user=w2&token=" + tokens.get(2), null);
            assertThat(retried.statusCode()).isEqualTo(200);
        }
        List<ConsumerRecord<String, byte[]>> records = readAll(topic, 3, Duration.ofSeconds(30));
        assertThat(records).hasSize(3);
        assertThat(records.stream().map(ConsumerRecord::key).distinct()).hasSize(3);
    }

    private static void awaitInFlight(Edge edge, int n) throws InterruptedException {
        for (int i = 0; i < 3000; i++) {
            if (edge.service().metricsText().contains("redpacket_edge_in_flight_opens{edge=\"3\"} " + n)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("opens in flight never reached " + n);
    }

    /**
     * The crowd against two edges: honest users and fraudsters. Ground truth is written; honest users never get more
     * than three envelopes; forged and stolen tokens are refused at the edge; every opened envelope is in the topic
     * exactly once, with the IP the user claimed.
     */
    @Test
    void crowdOfHonestAndFraudulentUsersLeavesGroundTruthAndAnExactTopic() throws Exception {
        String topic = "opens-" + UUID.randomUUID();
        broker.createTopic(topic, 2);
        TestCampaign c = TestCampaign.create(tmp.resolve("v"), 1, 2, 4, 100);
        ManualClock clock = new ManualClock(TestCampaign.T0 + 1000);
        EdgeSettings base = new EdgeSettings(1, true, true, 1_000_000, 1000, 500, 300, EdgeSettings.DEFAULT_MAX_TOKEN_AGE_MS, 50, 1 << 12);
        try (Edge e1 = start(c, base, ShardTable.parse("0:1/2,1:2/1"), tmp.resolve("e1"), topic, clock, true);
             Edge e2 = start(c, new EdgeSettings(2, true, true, 1_000_000, 1000, 500, 300, EdgeSettings.DEFAULT_MAX_TOKEN_AGE_MS, 50, 1 << 12),
                     ShardTable.parse("0:1/2,1:2/1"), tmp.resolve("e2"), topic, clock, true)) {
            Map<Integer, URI> edges = Map.of(1, URI.create("http://127.0.0.1:" + e1.server().port()),
                    2, URI.create("http://127.0.0.1:" + e2.server().port()));
            Crowd crowd = new Crowd(new Crowd.Config(edges, 120, 0.4, Duration.ofSeconds(4), 64, 7, 300, 5));
            Map<String, Long> counts = crowd.run(tmp.resolve("truth"));
            assertThat(counts.getOrDefault("shake.envelope", 0L)).isGreaterThan(50);
            assertThat(counts.getOrDefault("open.opened", 0L)).isGreaterThan(30);
            assertThat(counts.getOrDefault("forged-open.opened", 0L)).isZero();
            assertThat(counts.getOrDefault("stolen-open.opened", 0L)).isZero();
        }
        Path truth = tmp.resolve("truth");
        List<String> users = Files.readAllLines(truth.resolve("users.csv"));
        assertThat(users).hasSize(121);
        Map<String, String> ipOf = new HashMap<>();
        Map<String, String> behaviourOf = new HashMap<>();
        for (String line : users.subList(1, users.size())) {
            String[] f = line.split(",");
            assertThat(Boolean.parseBoolean(f[2])).isEqualTo(!f[1].equals("HONEST"));
            behaviourOf.put(f[0], f[1]);
            ipOf.put(f[0], f[4]);
        }
        assertThat(new java.util.HashSet<>(behaviourOf.values())).contains("HONEST", "FORGE", "REPLAY");
        Map<String, Integer> wins = new HashMap<>();
        long opened = 0;
        for (String line : Files.readAllLines(truth.resolve("actions.csv")).stream().skip(1).toList()) {
            String[] f = line.split(",", -1);
            if (f[3].equals("shake") && f[6].equals("envelope")) {
                wins.merge(f[1], 1, Integer::sum);
            }
            if (f[3].equals("open") && f[6].equals("opened")) {
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
            assertThat(e.getIp()).isEqualTo(ipOf.get(e.getUserId()));
        }
        assertThat(perEnvelope.values()).allMatch(n -> n == 1);
        assertThat((long) perEnvelope.size()).isEqualTo(opened);
    }

    /**
     * Two edges, shard 0 owned by edge 1 with edge 2 as backup. Edge 1 is declared dead (admin port of both) during
     * slot 1: edge 2 keeps serving only its own shard in slot 1 (edge 1's current file is abandoned), and from slot 2
     * on serves edge 1's shard too. Caps hold over HTTP with the state blob; every open is in the topic once.
     */
    @Test
    void failoverToTheBackupOnTheNextSlotAndCapsOverHttp() throws Exception {
        String topic = "opens-" + UUID.randomUUID();
        broker.createTopic(topic, 2);
        TestCampaign c = TestCampaign.create(tmp.resolve("v"), 2, 2, 5, 10);
        ManualClock clock = new ManualClock(TestCampaign.T0 + 1000);
        String spec = "0:1/2,1:2/1";
        EdgeSettings s2 = EdgeSettings.defaults(2).withRate(1_000_000);
        try (Edge e1 = start(c, EdgeSettings.defaults(1).withRate(1_000_000), ShardTable.parse(spec), tmp.resolve("e1"), topic, clock);
             Edge e2 = start(c, s2, ShardTable.parse(spec), tmp.resolve("e2"), topic, clock)) {
            int p2 = e2.server().port();
            // caps over HTTP: one user, state carried, at most 3 envelopes from 3 sponsors
            String state = null;
            List<String> sponsors = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Map<String, String> j = FlatJson.fields(post(p2, "/shake", "user=capper" + (state == null ? "" : "&state=" + state), null).body());
                state = j.getOrDefault("state", state);
                if ("envelope".equals(j.get("result"))) {
                    sponsors.add(j.get("sponsorId"));
                    assertThat(post(p2, "/open", "user=capper&token=" + j.get("token"), null).statusCode()).isEqualTo(200);
                }
            }
            assertThat(sponsors).hasSize(3).doesNotHaveDuplicates();
            assertThat(FlatJson.fields(post(p2, "/shake", "user=capper&state=" + state, null).body())).containsEntry("result", "capped");

            for (Edge e : List.of(e1, e2)) {
                assertThat(post(e.server().adminPort(), "/admin/dead", "edge=1", ADMIN_TOKEN).body()).contains("\"deadEdges\":\"1@1\"");
            }
            Map<String, Integer> filesSlot1 = drainOver(c, p2, "a");
            assertThat(filesSlot1.keySet()).containsExactly("s1/1");
            clock.set(TestCampaign.T0 + TestCampaign.SLOT_MS + 1000);
            Map<String, Integer> filesSlot2 = drainOver(c, p2, "b");
            assertThat(filesSlot2).containsOnlyKeys("s2/0", "s2/1");
            assertThat(filesSlot2.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(50);
            assertThat(FlatJson.fields(post(e1.server().port(), "/shake", "user=z", null).body())).containsEntry("result", "nothing");
        }
        List<ConsumerRecord<String, byte[]>> records = readAll(topic, 3 + 22 + 50, Duration.ofSeconds(30));
        assertThat(records.stream().map(ConsumerRecord::key).distinct().count()).isEqualTo(records.size());
        assertThat(records).hasSizeGreaterThanOrEqualTo(3 + 50);
    }

    /** Shakes with fresh users until nothing is left, opening each envelope; counts envelopes per source file. */
    private static Map<String, Integer> drainOver(TestCampaign c, int port, String prefix) throws Exception {
        Map<String, Integer> files = new HashMap<>();
        for (int u = 0; u < 200; u++) {
            Map<String, String> j = FlatJson.fields(post(port, "/shake", "user=" + prefix + u, null).body());
            if (!"envelope".equals(j.get("result"))) {
                break;
            }
            HttpResponse<String> open = post(port, "/open", "user=" + prefix + u + "&token=" + j.get("token"), null);
            assertThat(open.statusCode()).isEqualTo(200);
            files.merge(c.fileOfId.get(Long.parseLong(FlatJson.fields(open.body()).get("envelopeId"))), 1, Integer::sum);
        }
        return files;
    }
}
