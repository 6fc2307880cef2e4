package io.redpacket.settlement;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.LiveFlag;
import io.redpacket.avro.LiveMetric;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectReason;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.envelope.EnvelopeLayout;
import io.redpacket.settlement.records.PregeneratedEnvelope;
import io.redpacket.settlement.records.SpecificRecordSerializer;
import io.redpacket.settlement.rules.DeviceSharing;
import io.redpacket.testkit.GeneratedCampaign;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job as {@link SettlementJob} assembles it, on a mini cluster with two TaskManagers, with its sources and
 * sinks swapped through {@link SettlementJob.Io} (flink-training's integration-test layer): bounded sources of
 * records, opens and operator commands, collecting sinks. No broker, no files but the campaign's.
 */
@Timeout(180)
class SettlementJobBoundedTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path tmp;

    /** What the collecting sinks received, by sink name (the mini cluster runs in this JVM). */
    static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

    record Collect<T>(String name) implements Sink<T> {
        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Queue<Object> q = COLLECTED.computeIfAbsent(name, n -> new ConcurrentLinkedQueue<>());
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context c) {
                    q.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> collected(String name) {
        return new ArrayList<>((Queue<T>) (Queue<?>) COLLECTED.getOrDefault(name, new ConcurrentLinkedQueue<>()));
    }

    /** A bounded source of Avro records, shipped as their single-object bytes. */
    private static <T extends org.apache.avro.specific.SpecificRecordBase> DataGeneratorSource<T> bounded(
            Class<T> type, List<T> records, Decoder<T> decoder) throws Exception {
        return bounded(type, records, decoder, RateLimiterStrategy.noOp());
    }

    /** The same, paced: {@code pace} is for the whole source, shared by its parallel readers (each reads a range). */
    private static <T extends org.apache.avro.specific.SpecificRecordBase> DataGeneratorSource<T> bounded(
            Class<T> type, List<T> records, Decoder<T> decoder, RateLimiterStrategy pace) throws Exception {
        List<byte[]> bytes = new ArrayList<>();
        for (T r : records) {
            ByteBuffer bb = (ByteBuffer) type.getMethod("toByteBuffer").invoke(r);
            bytes.add(KafkaTestSupport.bytes(bb));
        }
        return new DataGeneratorSource<>(
                i -> decoder.decode(ByteBuffer.wrap(bytes.get(i.intValue()))),
                bytes.size(),
                pace,
                SpecificRecordSerializer.typeOf(type));
    }

    interface Decoder<T> extends Serializable {
        T decode(ByteBuffer bb) throws Exception;
    }

    @Test
    void anAcceptedEventIsAnsweredOnceAndEveryDeliveryOfARejectedOneIsRejected() throws Exception {
        COLLECTED.clear();
        GeneratedCampaign c = Fixtures.campaign(tmp.resolve("v1"));
        Settings settings = Fixtures.settings(c, Fixtures.passwordFile(tmp), Fixtures.END_MS + 3_600_000, Map.of(), 2);
        long withheld = Fixtures.envelope(0, 5);

        // every record generation wrote but one, as a sealed-by-an-insider id would look
        byte[] records = c.recordsById();
        int total = (int) c.envelopeCount();
        GeneratorFunction<Long, PregeneratedEnvelope> envelope = i -> {
            long id = i < withheld ? i : i + 1;
            int off = (int) id * EnvelopeLayout.RECORD_BYTES;
            return new PregeneratedEnvelope(id, Arrays.copyOfRange(records, off, off + EnvelopeLayout.RECORD_BYTES));
        };
        DataGeneratorSource<PregeneratedEnvelope> envelopes =
                new DataGeneratorSource<>(envelope, total - 1, TypeInformation.of(PregeneratedEnvelope.class));

        long now = System.currentTimeMillis();
        List<OpenEvent> opens = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            opens.add(open(c, "valid-" + i, Fixtures.envelope(i % 4, i / 4 + 10), "user-" + i, now));
        }
        // four accounts on one device within the flag window: one live flag naming them all
        for (int i = 2; i < 6; i++) {
            opens.get(i).setDeviceId("shared-phone");
            opens.get(i).setOpenTimeMs(now + i);
        }
        opens.add(opens.get(0)); // redelivered byte for byte
        opens.add(OpenEvent.newBuilder(opens.get(1)).setEventId("replay-new-id").build()); // same token, new event
        opens.add(open(c, "withheld", withheld, "eve", now));
        long resealedId = Fixtures.envelope(1, 30);
        opens.add(Fixtures.open(
                "resealed",
                Fixtures.token(c.ring, Fixtures.resealed(c, resealedId, 500), "mallory", now - 1_000),
                "mallory",
                now));
        opens.add(open(c, "key-4", Fixtures.envelope(5, 0), "trent", now));
        for (int s = 0; s < 4; s++) {
            opens.add(open(c, "greedy-" + s, Fixtures.envelope(s, 31), "greedy", now));
        }
        opens.addAll(opens.subList(opens.size() - 4, opens.size())); // each redelivered
        ControlCommand blacklist = ControlCommand.newBuilder()
                .setCommandId("c1")
                .setIssuedAtMs(now - 60_000)
                .setOperator("ops")
                .setAction(ControlAction.BLACKLIST_KEY)
                .setKeyId(Fixtures.keyOfS6(c))
                .build();

        SettlementJob.Io io = new SettlementJob.Io(
                bounded(OpenEvent.class, opens, OpenEvent::fromByteBuffer),
                envelopes,
                bounded(ControlCommand.class, List.of(blacklist), ControlCommand::fromByteBuffer),
                new Collect<>("credits"),
                new Collect<>("credits"),
                new Collect<>("rejects"),
                new Collect<>("metrics"),
                new Collect<>("open-log"),
                new Collect<>("credit-log"),
                new Collect<>("credit-log"),
                new Collect<>("reject-log"),
                new Collect<>("flags"),
                new Collect<>("flag-log"));
        run(io, settings, false, "hashmap");

        List<CreditInstruction> credits = collected("credits");
        List<RejectedOpen> rejects = collected("rejects");
        Set<String> credited =
                credits.stream().map(CreditInstruction::getOpenEventId).collect(Collectors.toSet());
        // 10 valid opens (valid-1 or its replay under a new id, whichever came first), 3 of greedy's 4
        assertThat(credits).hasSize(13);
        assertThat(credits.stream()
                        .map(CreditInstruction::getEnvelopeId)
                        .distinct()
                        .count())
                .isEqualTo(13);
        assertThat(credits).allSatisfy(ci -> assertThat(ci.getAmountFen()).isEqualTo(c.amountFen(ci.getEnvelopeId())));
        assertThat(credited).contains("valid-0");
        assertThat(credits.stream().filter(ci -> ci.getOpenEventId().equals("valid-0")))
                .hasSize(1);

        Map<String, RejectReason> reasons = rejects.stream()
                .collect(Collectors.toMap(
                        RejectedOpen::getOpenEventId, RejectedOpen::getReason, (a, b) -> a == b ? a : null));
        assertThat(rejects).hasSize(6);
        assertThat(reasons)
                .containsEntry("withheld", RejectReason.NOT_PREGENERATED)
                .containsEntry("resealed", RejectReason.RECORD_MISMATCH)
                .containsEntry("key-4", RejectReason.BLACKLISTED_KEY)
                .containsValue(RejectReason.DUPLICATE_ENVELOPE)
                .containsValue(RejectReason.USER_CAP);
        // the contract with reconciliation: an event is accepted (credited) when it has fewer rejects than deliveries;
        // every delivery of a rejected event is rejected, with the same reason; an accepted one never is
        Map<String, Long> deliveries =
                opens.stream().collect(Collectors.groupingBy(OpenEvent::getEventId, Collectors.counting()));
        Map<String, Long> rejected =
                rejects.stream().collect(Collectors.groupingBy(RejectedOpen::getOpenEventId, Collectors.counting()));
        deliveries.forEach((id, n) -> {
            long r = rejected.getOrDefault(id, 0L);
            assertThat(r == 0 || r == n)
                    .as("%s: %d deliveries, %d rejects", id, n, r)
                    .isTrue();
            assertThat(credited.contains(id)).as(id).isEqualTo(r == 0);
        });
        assertThat(rejects)
                .filteredOn(r -> r.getReason() == RejectReason.USER_CAP)
                .hasSize(2)
                .extracting(RejectedOpen::getOpenEventId)
                .containsOnly(rejects.stream()
                        .filter(r -> r.getReason() == RejectReason.USER_CAP)
                        .findFirst()
                        .orElseThrow()
                        .getOpenEventId());
        assertThat(rejects)
                .filteredOn(r -> r.getReason() == RejectReason.DUPLICATE_ENVELOPE)
                .singleElement()
                .satisfies(r -> assertThat(r.getOpenEventId()).isIn("valid-1", "replay-new-id"));

        // the redelivery stays in the open log and is counted, nothing else
        assertThat(collected("open-log")).hasSize(opens.size());
        List<LiveMetric> metrics = collected("metrics");
        assertThat(metrics)
                .filteredOn(m -> m.getName().equals("redelivered_opens"))
                .extracting(LiveMetric::getValue)
                .contains(5L);
        assertThat(metrics)
                .filteredOn(m -> m.getName().equals("opens"))
                .extracting(LiveMetric::getValue)
                .contains((long) opens.size());
        assertThat(collected("credit-log")).hasSize(13);
        assertThat(collected("reject-log")).hasSize(6);

        List<LiveFlag> flags = collected("flags");
        assertThat(flags).singleElement().satisfies(f -> {
            assertThat(f.getSubject()).isEqualTo("shared-phone");
            assertThat(f.getAccounts()).containsExactly("user-2", "user-3", "user-4", "user-5");
            assertThat(f.getNewAccounts()).containsExactlyElementsOf(f.getAccounts());
            assertThat(f.getOpenedFen())
                    .isEqualTo(credits.stream()
                            .filter(ci -> f.getAccounts().contains(ci.getUserId()))
                            .mapToLong(CreditInstruction::getAmountFen)
                            .sum());
            assertThat(f.getFlagId()).isEqualTo(DeviceSharing.KIND + ":shared-phone:" + (now + 5));
        });
        assertThat(collected("flag-log")).isEqualTo(flags);
        assertThat(metrics)
                .filteredOn(m -> m.getName().equals("flagged_accounts"))
                .extracting(LiveMetric::getValue)
                .contains(4L);
    }

    private static OpenEvent open(GeneratedCampaign c, String eventId, long envelopeId, String user, long now) {
        OpenEvent e = Fixtures.open(eventId, Fixtures.token(c, envelopeId, user, now - 1_000), user, now);
        e.setEnvelopeId(envelopeId);
        return e;
    }

    @Test
    void creditsOfAccountsALiveFlagNamesWaitForReviewThenArePaidOrRefused() throws Exception {
        COLLECTED.clear();
        GeneratedCampaign c = Fixtures.campaign(tmp.resolve("v2"));
        Settings settings = Fixtures.settings(c, Fixtures.passwordFile(tmp), Fixtures.END_MS + 3_600_000, Map.of(), 2);
        long now = System.currentTimeMillis();
        // Two readers, each reading its half of the opens at one per second (the pace is shared). Reader 0: farm
        // accounts 1, 2, 3 open on one phone in the first three seconds, then honest opens; reader 1: honest opens, and
        // at the fourth second farm-4's first open, the fourth account on the phone: it raises the flag. Every farm
        // account's second open comes three or more seconds after it.
        List<String> farm = List.of("farm-1", "farm-2", "farm-3", "farm-4");
        java.util.function.IntFunction<OpenEvent> first =
                k -> onPhone(open(c, "first-farm-" + k, Fixtures.envelope(0, k - 1), "farm-" + k, now));
        java.util.function.IntFunction<OpenEvent> second =
                k -> onPhone(open(c, "second-farm-" + k, Fixtures.envelope(2, k - 1), "farm-" + k, now + 1_000));
        java.util.function.BiFunction<Integer, Integer, OpenEvent> honest = (h, i) ->
                open(c, "honest-" + h + "-" + i, Fixtures.envelope(1, h * 4 + i), "honest-" + h + "-" + i, now);
        List<OpenEvent> opens = new ArrayList<>(List.of(
                first.apply(1),
                first.apply(2),
                first.apply(3),
                honest.apply(0, 0),
                honest.apply(0, 1),
                honest.apply(0, 2),
                second.apply(1),
                second.apply(2),
                honest.apply(1, 0),
                honest.apply(1, 1),
                honest.apply(1, 2),
                first.apply(4),
                honest.apply(1, 3),
                honest.apply(0, 3),
                second.apply(3),
                second.apply(4)));
        // the reviewers' decisions come last, after switches settlement ignores (edge dispense rates), one per second
        List<ControlCommand> control = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            control.add(ControlCommand.newBuilder()
                    .setCommandId("rate-" + i)
                    .setIssuedAtMs(now)
                    .setOperator("ops")
                    .setAction(ControlAction.SET_DISPENSE_RATE)
                    .setValue(1_000L)
                    .build());
        }
        control.add(ControlCommand.newBuilder()
                .setCommandId("r1")
                .setIssuedAtMs(now)
                .setOperator("analyst")
                .setAction(ControlAction.RELEASE_ACCOUNT)
                .setUserId("farm-1")
                .build());
        control.add(ControlCommand.newBuilder()
                .setCommandId("r2")
                .setIssuedAtMs(now)
                .setOperator("analyst")
                .setAction(ControlAction.CONFIRM_FRAUD)
                .setUserId("farm-2")
                .build());

        SettlementJob.Io io = new SettlementJob.Io(
                bounded(OpenEvent.class, opens, OpenEvent::fromByteBuffer, RateLimiterStrategy.perSecond(2)),
                envelopes(c),
                bounded(
                        ControlCommand.class,
                        control,
                        ControlCommand::fromByteBuffer,
                        RateLimiterStrategy.perSecond(1)),
                new Collect<>("credits"),
                new Collect<>("credits"),
                new Collect<>("rejects"),
                new Collect<>("metrics"),
                new Collect<>("open-log"),
                new Collect<>("credit-log"),
                new Collect<>("credit-log"),
                new Collect<>("reject-log"),
                new Collect<>("flags"),
                new Collect<>("flag-log"));
        run(io, settings, true, "rocksdb"); // production's backend: a decision walks the held accounts' keys in it

        List<CreditInstruction> credits = collected("credits");
        List<RejectedOpen> rejects = collected("rejects");
        List<LiveFlag> flags = collected("flags");
        assertThat(flags)
                .singleElement()
                .satisfies(f -> assertThat(f.getAccounts()).containsExactlyInAnyOrderElementsOf(farm));
        // paid: the first opens before the flag, the honest ones, farm-1's second (released); refused: farm-2's second
        // (confirmed); farm-3's and farm-4's seconds are still held: neither paid nor refused, pending to
        // reconciliation.
        // farm-4's first open is the one that raises the flag: it races its own flag to the caps step, so it is paid or
        // held, never refused.
        List<String> paid = List.of(
                "first-farm-1",
                "first-farm-2",
                "first-farm-3",
                "honest-0-0",
                "honest-0-1",
                "honest-0-2",
                "honest-0-3",
                "honest-1-0",
                "honest-1-1",
                "honest-1-2",
                "honest-1-3",
                "second-farm-1");
        List<String> paidOrHeld = new ArrayList<>(paid);
        paidOrHeld.add("first-farm-4");
        assertThat(credits)
                .extracting(CreditInstruction::getOpenEventId)
                .doesNotHaveDuplicates()
                .containsAll(paid)
                .isSubsetOf(paidOrHeld);
        assertThat(rejects).singleElement().satisfies(r -> {
            assertThat(r.getOpenEventId()).isEqualTo("second-farm-2");
            assertThat(r.getReason()).isEqualTo(RejectReason.FRAUD_CONFIRMED);
        });
        assertThat(collected("credit-log")).hasSize(credits.size());
        List<LiveMetric> metrics = collected("metrics");
        assertThat(metrics)
                .filteredOn(m -> m.getName().equals("held_opens"))
                .extracting(LiveMetric::getValue)
                .anySatisfy(held -> assertThat(held).isGreaterThanOrEqualTo(4L));
        assertThat(metrics)
                .filteredOn(m -> m.getName().equals("unheld_opens"))
                .extracting(LiveMetric::getValue)
                .contains(2L);
    }

    private static OpenEvent onPhone(OpenEvent e) {
        e.setDeviceId("shared-phone");
        return e;
    }

    /** Every record generation wrote. */
    private static DataGeneratorSource<PregeneratedEnvelope> envelopes(GeneratedCampaign c) {
        byte[] records = c.recordsById();
        GeneratorFunction<Long, PregeneratedEnvelope> envelope = i -> {
            int off = (int) (long) i * EnvelopeLayout.RECORD_BYTES;
            return new PregeneratedEnvelope(i, Arrays.copyOfRange(records, off, off + EnvelopeLayout.RECORD_BYTES));
        };
        return new DataGeneratorSource<>(
                envelope, (int) c.envelopeCount(), TypeInformation.of(PregeneratedEnvelope.class));
    }

    private static void run(SettlementJob.Io io, Settings settings, boolean holdFlagged, String stateBackend)
            throws Exception {
        org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration();
        conf.set(org.apache.flink.configuration.StateBackendOptions.STATE_BACKEND, stateBackend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.getConfig().enableObjectReuse();
        new SettlementJob(io, settings, Duration.ofSeconds(5), 100, DeviceSharing.DEFAULT, holdFlagged).build(env);
        env.execute("bounded settlement");
    }
}
