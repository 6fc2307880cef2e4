package io.redpacket.settlement;

import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.LiveFlag;
import io.redpacket.avro.LiveMetric;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.settlement.functions.ClaimEnvelopes;
import io.redpacket.settlement.functions.ControlState;
import io.redpacket.settlement.functions.EnforceCaps;
import io.redpacket.settlement.functions.FlagSharedDevices;
import io.redpacket.settlement.functions.HoldFlaggedAccounts;
import io.redpacket.settlement.functions.Outputs;
import io.redpacket.settlement.functions.ShapeCredits;
import io.redpacket.settlement.functions.VerifyOpens;
import io.redpacket.settlement.metrics.MetricTally;
import io.redpacket.settlement.metrics.PublishLiveMetrics;
import io.redpacket.settlement.metrics.Tallier;
import io.redpacket.settlement.metrics.TallyOperator;
import io.redpacket.settlement.records.ClaimInput;
import io.redpacket.settlement.records.PregeneratedEnvelope;
import io.redpacket.settlement.records.SpecificRecordSerializer;
import io.redpacket.settlement.records.VerifiedOpen;
import io.redpacket.settlement.rules.DeviceSharing;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Settlement: every open event is verified (token, key, ticket, batch, and the exact pre-generated record),
 * claims its envelope once, is capped per user, and is credited exactly once through a per-channel rate shaper.
 * Input may contain forgeries, tampered and replayed opens, opens under blacklisted keys, undecodable records and
 * identical redeliveries of one open event; each open event ends as exactly one credit instruction or one
 * reject with its reason, and a redelivery of an event already answered gets no second answer.
 *
 * <p>A thin assembler: sources and sinks come in through {@link Io} (production Kafka and Parquet ones from
 * {@link SettlementRunner}, the same in the integration tests), rules live in the functions and in
 * {@code rules/}. Every operator is named and has a stable uid, so savepoints survive changes.
 */
public final class SettlementJob {
    /**
     * Where settlement reads and writes. {@code envelopes} is bounded: the records generation wrote, loaded once
     * when the job first starts. Credits leave on two paths, each with its own sinks (the Kafka ones
     * with their own transactional ids, both into the same credit topic and log): unshaped channels straight
     * from the caps step, limited channels from the rate shaper.
     */
    public record Io(
            Source<OpenEvent, ?, ?> opens,
            Source<PregeneratedEnvelope, ?, ?> envelopes,
            Source<ControlCommand, ?, ?> control,
            Sink<CreditInstruction> creditTopic,
            Sink<CreditInstruction> shapedCreditTopic,
            Sink<RejectedOpen> rejectTopic,
            Sink<LiveMetric> metricTopic,
            Sink<OpenEvent> openLog,
            Sink<CreditInstruction> creditLog,
            Sink<CreditInstruction> shapedCreditLog,
            Sink<RejectedOpen> rejectLog,
            Sink<LiveFlag> flagTopic,
            Sink<LiveFlag> flagLog) {}

    private static final TypeInformation<CreditInstruction> CREDIT =
            SpecificRecordSerializer.typeOf(CreditInstruction.class);

    private final Io io;
    private final Settings settings;
    private final Duration outOfOrderness;
    private final long metricsIntervalMs;
    private final DeviceSharing deviceSharing;
    private final boolean holdFlagged;

    /** @param holdFlagged whether the accounts a live flag names have their credits held for review */
    public SettlementJob(
            Io io,
            Settings settings,
            Duration outOfOrderness,
            long metricsIntervalMs,
            DeviceSharing deviceSharing,
            boolean holdFlagged) {
        this.io = io;
        this.settings = settings;
        this.outOfOrderness = outOfOrderness;
        this.metricsIntervalMs = metricsIntervalMs;
        this.deviceSharing = deviceSharing;
        this.holdFlagged = holdFlagged;
    }

    public void build(StreamExecutionEnvironment env) {
        Settings settings = this.settings; // the key selector lambda captures this value, not the job
        DataStream<OpenEvent> opens = env.fromSource(
                        io.opens(),
                        WatermarkStrategy.<OpenEvent>forBoundedOutOfOrderness(outOfOrderness)
                                .withTimestampAssigner((e, ts) -> e.getOpenTimeMs())
                                .withIdleness(Duration.ofSeconds(30)),
                        "open events")
                .uid("source-opens");
        // Idle most of the time: marked idle so it never holds back the event time of the opens it is joined with.
        DataStream<ControlCommand> control = env.fromSource(
                        io.control(),
                        WatermarkStrategy.<ControlCommand>forMonotonousTimestamps()
                                .withTimestampAssigner((c, ts) -> c.getIssuedAtMs())
                                .withIdleness(Duration.ofSeconds(5)),
                        "control commands")
                .uid("source-control")
                .setParallelism(1);

        // No watermark until every file is read, then the final one: the claim step's watermark says "all loaded".
        DataStream<PregeneratedEnvelope> envelopes = env.fromSource(
                        io.envelopes(), WatermarkStrategy.noWatermarks(), "pre-generated envelopes")
                .uid("source-envelopes");

        // One-input, so it is chained to the source: opens are not serialized between reading and verifying.
        SingleOutputStreamOperator<VerifiedOpen> verified =
                opens.process(new VerifyOpens(settings)).name("verify open").uid("verify-open");
        TypeInformation<ClaimInput> claimInput = TypeInformation.of(ClaimInput.class);
        SingleOutputStreamOperator<VerifiedOpen> unique = envelopes
                .map(ClaimInput::of, claimInput)
                .name("pre-generated record")
                .uid("envelope-claim-input")
                .union(verified.map(ClaimInput::of, claimInput)
                        .name("open to claim")
                        .uid("open-claim-input"))
                .keyBy(ClaimInput::blockOf)
                .connect(control.broadcast(ControlState.BLACKLIST))
                .process(new ClaimEnvelopes(settings))
                .name("claim envelopes (pre-generated record, blacklist, once)")
                .uid("claim-envelopes");
        // Live flags branch off the genuine, first-time opens: nothing on the crediting path waits for them. With
        // holdFlagged, each flag holds its accounts in the caps step, as an operator's HOLD_ACCOUNT would.
        SingleOutputStreamOperator<LiveFlag> flags = unique.filter(v -> v.deviceId != null && !v.deviceId.isEmpty())
                .name("opens with a device")
                .uid("opens-with-device")
                .map(VerifiedOpen::sighting, unique.getType())
                .name("device sighting")
                .uid("device-sighting")
                .keyBy(v -> v.deviceId)
                .process(new FlagSharedDevices(deviceSharing), SpecificRecordSerializer.typeOf(LiveFlag.class))
                .name("flag devices shared by many accounts")
                .uid("flag-shared-devices");
        DataStream<ControlCommand> capsControl = !holdFlagged
                ? control
                : control.union(flags.flatMap(new HoldFlaggedAccounts(), control.getType())
                        .name("hold flagged accounts")
                        .uid("hold-flagged-accounts"));

        // Its operator clears all users' state at once when retention ends (no timer per user): connected to the
        // control stream broadcast by partitioning, the operator keeps the channel limits and the accounts under review
        // as
        // broadcast state itself.
        SingleOutputStreamOperator<CreditInstruction> credits = unique.keyBy(v -> v.userId)
                .connect(capsControl.broadcast())
                .transform("enforce user caps, credit unshaped", CREDIT, new EnforceCaps(settings).operator())
                .uid("enforce-caps");
        SingleOutputStreamOperator<CreditInstruction> shapedCredits = credits.getSideOutput(Outputs.TO_SHAPE)
                .keyBy(v -> settings.shapingKey(v.channel, v.envelopeId))
                .connect(control.broadcast(ControlState.CHANNEL_LIMITS))
                .process(new ShapeCredits(settings), CREDIT)
                .name("rate-shaped crediting")
                .uid("shape-credits");
        DataStream<RejectedOpen> rejects = verified.getSideOutput(Outputs.REJECTS)
                .union(unique.getSideOutput(Outputs.REJECTS), credits.getSideOutput(Outputs.REJECTS));

        flags.sinkTo(io.flagTopic()).name("flag topic").uid("flag-topic");
        flags.sinkTo(io.flagLog()).name("flag log (parquet)").uid("flag-log");
        opens.sinkTo(io.openLog()).name("open log (parquet)").uid("open-log");
        credits.sinkTo(io.creditTopic()).name("credit topic (exactly once)").uid("credit-topic");
        credits.sinkTo(io.creditLog()).name("credit log (parquet)").uid("credit-log");
        shapedCredits
                .sinkTo(io.shapedCreditTopic())
                .name("credit topic, shaped (exactly once)")
                .uid("credit-topic-shaped");
        shapedCredits
                .sinkTo(io.shapedCreditLog())
                .name("credit log, shaped (parquet)")
                .uid("credit-log-shaped");
        rejects.sinkTo(io.rejectTopic()).name("reject topic").uid("reject-topic");
        rejects.sinkTo(io.rejectLog()).name("reject log (parquet)").uid("reject-log");

        TypeInformation<MetricTally> tally = TypeInformation.of(MetricTally.class);
        DataStream<MetricTally> redelivered = unique.getSideOutput(Outputs.REDELIVERED)
                .transform(
                        "tally redelivered opens", tally, new TallyOperator<>(Tallier.redelivered(), metricsIntervalMs))
                .uid("tally-redelivered");
        opens.transform("tally opens", tally, new TallyOperator<>(Tallier.opens(), metricsIntervalMs))
                .uid("tally-opens")
                .union(
                        credits.transform(
                                        "tally credits",
                                        tally,
                                        new TallyOperator<>(Tallier.credits(), metricsIntervalMs))
                                .uid("tally-credits"),
                        shapedCredits
                                .transform(
                                        "tally shaped credits",
                                        tally,
                                        new TallyOperator<>(Tallier.credits(), metricsIntervalMs))
                                .uid("tally-credits-shaped"),
                        rejects.transform(
                                        "tally rejects",
                                        tally,
                                        new TallyOperator<>(Tallier.rejects(), metricsIntervalMs))
                                .uid("tally-rejects"),
                        shapedCredits
                                .getSideOutput(Outputs.BACKLOG)
                                .transform(
                                        "tally backlog",
                                        tally,
                                        new TallyOperator<>(Tallier.backlog(), metricsIntervalMs))
                                .uid("tally-backlog"),
                        flags.transform("tally flags", tally, new TallyOperator<>(Tallier.flags(), metricsIntervalMs))
                                .uid("tally-flags"),
                        credits.getSideOutput(Outputs.HELD)
                                .transform(
                                        "tally held opens",
                                        tally,
                                        new TallyOperator<>(Tallier.held(), metricsIntervalMs))
                                .uid("tally-held"),
                        credits.getSideOutput(Outputs.UNHELD)
                                .transform(
                                        "tally reviewed opens",
                                        tally,
                                        new TallyOperator<>(Tallier.unheld(), metricsIntervalMs))
                                .uid("tally-unheld"),
                        redelivered)
                .transform(
                        "publish live metrics",
                        SpecificRecordSerializer.typeOf(LiveMetric.class),
                        new PublishLiveMetrics(metricsIntervalMs))
                .uid("publish-live-metrics")
                .setParallelism(1)
                .sinkTo(io.metricTopic())
                .name("metric topic")
                .uid("metric-topic")
                .setParallelism(1);
    }
}
