package io.redpacket.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.LiveMetric;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.kafka.LocalKafkaBroker;
import io.redpacket.keys.KeyRing;
import io.redpacket.settlement.io.ParquetLogs;
import io.redpacket.testkit.GeneratedCampaign;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settlement job on a local Flink mini cluster against a real Kafka broker (kafka-local), with the
 * production sources and sinks. Scenarios are combined into few jobs to keep the suite short.
 */
@Timeout(240)
class SettlementJobKafkaIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static LocalKafkaBroker broker;

    @TempDir
    Path tmp;
    /**
     * Outside the temp dir: a cancelled job's cluster may still be discarding checkpoint files while JUnit
     * deletes the temp dir. Under target/, removed by mvn clean.
     */
    private final Path checkpoints =
            Path.of("target", "it-checkpoints-" + System.nanoTime()).toAbsolutePath();

    @BeforeAll
    static void startBroker() throws Exception {
        broker = LocalKafkaBroker.start(Path.of("target", "kafka-it-" + System.nanoTime()));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** Unique topics per test, as the production names with a prefix. */
    private static SettlementConfig.TopicNames topics(String prefix) {
        SettlementConfig.TopicNames t = new SettlementConfig.TopicNames(
                prefix + ".opens",
                prefix + ".credits",
                prefix + ".rejects",
                prefix + ".metrics",
                prefix + ".control",
                prefix + ".flags");
        createTopic(t.opens(), 2);
        createTopic(t.credits(), 2);
        createTopic(t.rejects(), 1);
        createTopic(t.metrics(), 1);
        createTopic(t.control(), 1);
        createTopic(t.flags(), 1);
        return t;
    }

    /** A freshly created topic's metadata can lag on a busy machine: describe fails once, the next try succeeds. */
    private static void createTopic(String name, int partitions) {
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

    private SettlementConfig config(
            GeneratedCampaign c,
            SettlementConfig.TopicNames t,
            String id,
            Duration checkpoint,
            String restoreFrom,
            boolean rocksDb)
            throws Exception {
        return SettlementConfig.builder(
                        c.dir.toUri(),
                        broker.bootstrapServers(),
                        tmp.resolve("out").toUri())
                .passwordFile(Fixtures.passwordFile(tmp).toUri())
                .topics(t)
                .groupId("settle-" + id)
                .channelLimits(Map.of("coupon", 20L))
                .parallelism(2)
                .checkpointInterval(checkpoint)
                .checkpointDir(checkpoints.toUri())
                .stateBackend(rocksDb ? SettlementConfig.ROCKSDB : SettlementConfig.HASHMAP)
                .restartStrategy("none")
                .restoreFrom(restoreFrom)
                .retentionGrace(Duration.ofHours(1))
                .fromEarliest(true)
                .build();
    }

    private static ControlCommand command(String id, ControlAction action, Integer keyId, String channel, Long value) {
        return ControlCommand.newBuilder()
                .setCommandId(id)
                .setIssuedAtMs(System.currentTimeMillis())
                .setOperator("it")
                .setAction(action)
                .setKeyId(keyId)
                .setChannel(channel)
                .setValue(value)
                .build();
    }

    /** An open as the edge publishes it: the decoded ticket fields filled in (settlement ignores and re-derives them). */
    private static OpenEvent open(GeneratedCampaign c, String eventId, long envelopeId, String user) {
        long shake = System.currentTimeMillis() - 1_000;
        OpenEvent e = Fixtures.open(eventId, Fixtures.token(c, envelopeId, user, shake), user, shake + 500);
        e.setEnvelopeId(envelopeId);
        return e;
    }

    @Test
    void validForgedTamperedReplayedBlacklistedOverCapAndShapedOpens() throws Exception {
        GeneratedCampaign c = Fixtures.campaign(tmp.resolve("v1"));
        SettlementConfig.TopicNames t = topics("scenarios");
        SettlementConfig config = config(c, t, "scenarios", Duration.ofSeconds(1), null, false);
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(broker.bootstrapServers());
                var admin = broker.admin()) {
            // operator switches first: key 4 leaked, the coupon partner may take 50/s (config said 20/s)
            KafkaTestSupport.sendControl(
                    producer,
                    t.control(),
                    List.of(
                            command("c1", ControlAction.BLACKLIST_KEY, Fixtures.keyOfS6(c), null, null),
                            command("c2", ControlAction.SET_CHANNEL_LIMIT, null, "coupon", 50L)));
            JobClient job = SettlementRunner.start(config);
            try {
                // offsets are committed on checkpoint, after the commands passed every operator
                KafkaTestSupport.awaitGroupCaughtUp(admin, config.groupId() + "-control", t.control(), WAIT);

                List<OpenEvent> opens = new ArrayList<>();
                Map<String, RejectReason> expectedRejects = new HashMap<>();
                Set<Long> expectedCredits = new java.util.HashSet<>();
                // valid: 12 users, one cash envelope each, sponsors s1..s4
                for (int i = 0; i < 12; i++) {
                    long id = Fixtures.envelope(i % 4, i / 4);
                    opens.add(open(c, "valid-" + i, id, "user-" + i));
                    expectedCredits.add(id);
                }
                // coupon burst: 120 users on the shaped channel
                for (int i = 0; i < 120; i++) {
                    long id = Fixtures.envelope(4, i);
                    opens.add(open(c, "coupon-" + i, id, "coupon-user-" + i));
                    expectedCredits.add(id);
                }
                // forged with the attacker's own keys: token and ticket fail
                KeyRing attacker = KeyRing.generate(4, new SecureRandom());
                byte[] fake = new byte[26];
                new io.redpacket.envelope.TicketSealer(attacker).seal(Fixtures.envelope(0, 20), 500, 1, 1, fake, 0);
                long now = System.currentTimeMillis();
                opens.add(Fixtures.open("forged-token", Fixtures.token(attacker, fake, "eve", now - 1000), "eve", now));
                expectedRejects.put("forged-token", RejectReason.TOKEN_NOT_AUTHENTIC);
                // tampered: a flipped token character; a re-sealed higher amount
                OpenEvent tampered = open(c, "tampered-token", Fixtures.envelope(0, 21), "mallory");
                char[] chars = tampered.getToken().toCharArray();
                chars[30] = chars[30] == 'x' ? 'y' : 'x';
                tampered.setToken(new String(chars));
                opens.add(tampered);
                expectedRejects.put("tampered-token", RejectReason.TOKEN_NOT_AUTHENTIC);
                long resealedId = Fixtures.envelope(1, 21);
                byte[] resealed = Fixtures.resealed(c, resealedId, 500);
                opens.add(Fixtures.open(
                        "tampered-amount", Fixtures.token(c.ring, resealed, "mallory", now - 1000), "mallory", now));
                expectedRejects.put("tampered-amount", RejectReason.RECORD_MISMATCH);
                // a blacklisted key: one of sponsor s6's, alone in its slot
                opens.add(open(c, "blacklisted", Fixtures.envelope(5, 0), "trent"));
                expectedRejects.put("blacklisted", RejectReason.BLACKLISTED_KEY);
                // over the caps: 4 sponsors for one user, 2 envelopes of one sponsor for another
                for (int s = 0; s < 4; s++) {
                    opens.add(open(c, "greedy-" + s, Fixtures.envelope(s, 30), "greedy"));
                }
                opens.add(open(c, "loyal-0", Fixtures.envelope(0, 31), "loyal"));
                opens.add(open(c, "loyal-1", Fixtures.envelope(0, 32), "loyal"));
                KafkaTestSupport.sendOpens(producer, t.opens(), opens);
                // after the originals: the same event again, byte for byte (a producer retry: idempotent, no answer),
                // and the same token under a new event id (a replay: DUPLICATE_ENVELOPE)
                OpenEvent valid0 = opens.get(0);
                OpenEvent replay =
                        OpenEvent.newBuilder(valid0).setEventId("replay-new-id").build();
                KafkaTestSupport.sendOpens(producer, t.opens(), List.of(valid0, replay));
                expectedRejects.put("replay-new-id", RejectReason.DUPLICATE_ENVELOPE);
                int produced = opens.size() + 2;
                int expectedCreditCount = expectedCredits.size() + 3 + 1; // + greedy's first three, loyal's first
                int expectedRejectCount = expectedRejects.size() + 1 + 1; // + greedy's 4th, loyal's 2nd

                List<CreditInstruction> credits = KafkaTestSupport.readCommitted(
                        broker.bootstrapServers(),
                        t.credits(),
                        CreditInstruction::fromByteBuffer,
                        l -> l.size() >= expectedCreditCount,
                        WAIT);
                List<RejectedOpen> rejects = KafkaTestSupport.readCommitted(
                        broker.bootstrapServers(),
                        t.rejects(),
                        RejectedOpen::fromByteBuffer,
                        l -> l.size() >= expectedRejectCount,
                        WAIT);

                // exactly the valid envelopes, once each, to the right user with the generated amount
                assertThat(credits).hasSize(expectedCreditCount);
                assertThat(credits.stream()
                                .map(CreditInstruction::getEnvelopeId)
                                .distinct()
                                .count())
                        .isEqualTo(expectedCreditCount);
                assertThat(credits.stream()
                                .map(CreditInstruction::getEnvelopeId)
                                .collect(Collectors.toSet()))
                        .containsAll(expectedCredits);
                for (CreditInstruction ci : credits) {
                    assertThat(ci.getAmountFen()).isEqualTo(c.amountFen(ci.getEnvelopeId()));
                    assertThat(ci.getCreditId()).isEqualTo("env-" + ci.getEnvelopeId());
                }
                Map<String, String> userOf = opens.stream()
                        .filter(o -> o.getEnvelopeId() != null)
                        .collect(
                                Collectors.toMap(o -> o.getEnvelopeId().toString(), OpenEvent::getUserId, (a, b) -> a));
                assertThat(credits)
                        .allSatisfy(ci ->
                                assertThat(ci.getUserId()).isEqualTo(userOf.get(Long.toString(ci.getEnvelopeId()))));
                assertThat(credits.stream()
                                .filter(ci -> ci.getUserId().equals("greedy"))
                                .count())
                        .isEqualTo(3);
                assertThat(credits.stream()
                                .filter(ci -> ci.getUserId().equals("loyal"))
                                .count())
                        .isEqualTo(1);

                Map<String, RejectReason> reasonByEvent = rejects.stream()
                        .collect(Collectors.toMap(RejectedOpen::getOpenEventId, RejectedOpen::getReason));
                assertThat(reasonByEvent).containsAllEntriesOf(expectedRejects);
                // the contract with reconciliation: a credited open event is never also rejected
                assertThat(reasonByEvent.keySet())
                        .doesNotContainAnyElementsOf(credits.stream()
                                .map(CreditInstruction::getOpenEventId)
                                .toList());
                assertThat(rejects)
                        .filteredOn(r -> r.getUserId().equals("greedy"))
                        .extracting(RejectedOpen::getReason)
                        .containsExactly(RejectReason.USER_CAP);
                assertThat(rejects)
                        .filteredOn(r -> r.getUserId().equals("loyal"))
                        .extracting(RejectedOpen::getReason)
                        .containsExactly(RejectReason.SPONSOR_CAP);
                assertThat(rejects).hasSize(expectedRejectCount);

                // rate shaping: coupon credits never exceed 50/s, i.e. 5 per 100 ms bucket and 50 per second
                List<CreditInstruction> coupon = credits.stream()
                        .filter(ci -> ci.getChannel().equals("coupon"))
                        .toList();
                assertThat(coupon).hasSize(120);
                Map<Long, Long> perBucket = new TreeMap<>();
                Map<Long, Long> perSecond = new TreeMap<>();
                coupon.forEach(ci -> {
                    perBucket.merge(ci.getCreditTimeMs() / 100, 1L, Long::sum);
                    perSecond.merge(ci.getCreditTimeMs() / 1000, 1L, Long::sum);
                });
                assertThat(perBucket.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(5));
                assertThat(perSecond.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(50));
                assertThat(perBucket.size()).isGreaterThanOrEqualTo(24);

                // live metrics on the metrics topic reach the final counts
                long creditedFen = credits.stream()
                        .mapToLong(CreditInstruction::getAmountFen)
                        .sum();
                KafkaTestSupport.readCommitted(
                        broker.bootstrapServers(),
                        t.metrics(),
                        LiveMetric::fromByteBuffer,
                        l -> has(l, "credits", Map.of(), expectedCreditCount)
                                && has(l, "credited_fen", Map.of(), creditedFen)
                                && has(l, "opens", Map.of(), produced)
                                && has(l, "rejects", Map.of("reason", "USER_CAP"), 1)
                                && has(l, "redelivered_opens", Map.of(), 1)
                                && has(l, "backlog", Map.of("channel", "coupon"), 0)
                                && l.stream().anyMatch(m -> m.getName().equals("latency_p99_ms")),
                        WAIT);

                // Parquet logs, partitioned by the UTC hour of the open
                awaitParquet(Path.of(config.creditLogDir()), expectedCreditCount);
                awaitParquet(Path.of(config.rejectLogDir()), expectedRejectCount);
                List<ParquetTestSupport.Row> openLog = awaitParquet(Path.of(config.openLogDir()), produced);
                assertThat(openLog)
                        .allSatisfy(r -> assertThat(r.hourPartition()).isEqualTo(ParquetLogs.hourPartition((Long)
                                r.record().get("openTimeMs"))));
                List<ParquetTestSupport.Row> creditLog = ParquetTestSupport.read(Path.of(config.creditLogDir()));
                assertThat(creditLog.stream()
                                .mapToLong(r -> (Long) r.record().get("amountFen"))
                                .sum())
                        .isEqualTo(creditedFen);
            } finally {
                job.cancel().get();
            }
        }
    }

    private static boolean has(List<LiveMetric> metrics, String name, Map<String, String> tags, long value) {
        return metrics.stream()
                .anyMatch(m -> m.getName().equals(name) && m.getTags().equals(tags) && m.getValue() == value);
    }

    private static List<ParquetTestSupport.Row> awaitParquet(Path dir, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<ParquetTestSupport.Row> rows = ParquetTestSupport.read(dir);
            if (rows.size() >= count) {
                assertThat(rows).hasSize(count);
                return rows;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(dir + " holds " + rows.size() + " records, expected " + count);
            }
            Thread.sleep(200);
        }
    }

    /** On RocksDB with incremental checkpoints (the CLI's default), so the restore reads an incremental checkpoint. */
    @Test
    void cancelledMidStreamAndRestoredFromCheckpointCreditsEveryAcceptedEnvelopeExactlyOnceWithoutLoadingAgain()
            throws Exception {
        GeneratedCampaign c = Fixtures.campaign(tmp.resolve("v1"));
        SettlementConfig.TopicNames t = topics("restore");
        SettlementConfig first = config(c, t, "restore", Duration.ofMillis(500), null, true);
        List<OpenEvent> firstHalf = new ArrayList<>();
        List<OpenEvent> secondHalf = new ArrayList<>();
        long expectedFen = 0;
        // cash and a shaped coupon channel (20/s from config), so state holds a backlog when the job dies
        for (int i = 0; i < 240; i++) {
            long id = i < 120 ? i : Fixtures.envelope(4, i - 120);
            (i % 2 == 0 ? firstHalf : secondHalf).add(open(c, "open-" + i, id, "user-" + i));
            expectedFen += c.amountFen(id);
        }
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(broker.bootstrapServers())) {
            JobClient job = SettlementRunner.start(first);
            try {
                KafkaTestSupport.sendOpens(producer, t.opens(), firstHalf);
                KafkaTestSupport.readCommitted(
                        broker.bootstrapServers(),
                        t.credits(),
                        CreditInstruction::fromByteBuffer,
                        l -> l.size() >= 40,
                        WAIT);
            } finally {
                job.cancel().get();
            }
            Path checkpoint = latestCheckpoint(
                    Path.of(first.checkpointDir()).resolve(job.getJobID().toString()));
            // the records are in the checkpoint: a restore that read the envelope files again would fail now (a
            // zeroed record does not open). Flink's file source still lists them on the JobManager, so they stay.
            try (Stream<Path> files = Files.walk(c.dir.resolve("envelopes"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Files.write(f, new byte[(int) Files.size(f)]);
                }
            }

            // the second half; identical redeliveries of ten first-half events (no answer again), and five
            // first-half envelopes opened again under new event ids, which the restored state must reject
            List<OpenEvent> redelivered = firstHalf.subList(0, 10);
            List<OpenEvent> replayed = KafkaTestSupport.replayedUnderNewIds(firstHalf.subList(10, 15));
            KafkaTestSupport.sendOpens(producer, t.opens(), secondHalf);
            KafkaTestSupport.sendOpens(producer, t.opens(), redelivered);
            KafkaTestSupport.sendOpens(producer, t.opens(), replayed);
            SettlementConfig second = config(
                    c, t, "restore", Duration.ofMillis(500), checkpoint.toUri().toString(), true);
            JobClient restored = SettlementRunner.start(second);
            try {
                List<CreditInstruction> credits = KafkaTestSupport.readCommitted(
                        broker.bootstrapServers(),
                        t.credits(),
                        CreditInstruction::fromByteBuffer,
                        l -> l.size() >= 240,
                        WAIT);
                KafkaTestSupport.readCommitted(
                        broker.bootstrapServers(),
                        t.metrics(),
                        LiveMetric::fromByteBuffer,
                        l -> has(l, "redelivered_opens", Map.of(), redelivered.size()),
                        WAIT);
                assertThat(credits).hasSizeGreaterThanOrEqualTo(240);
                KafkaTestSupport.assertSettledExactlyOnce(
                        broker, t, second.groupId(), 240, expectedFen, replayed, WAIT);
            } finally {
                restored.cancel().get();
            }
        }
    }

    private static Path latestCheckpoint(Path jobDir) throws Exception {
        try (Stream<Path> s = Files.list(jobDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max((a, b) -> Integer.compare(n(a), n(b)))
                    .orElseThrow(() -> new AssertionError("no completed checkpoint under " + jobDir));
        }
    }

    private static int n(Path chk) {
        return Integer.parseInt(chk.getFileName().toString().substring(4));
    }
}
