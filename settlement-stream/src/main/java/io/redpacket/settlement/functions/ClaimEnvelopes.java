package io.redpacket.settlement.functions;

import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.RejectReason;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.records.ClaimInput;
import io.redpacket.settlement.records.PregeneratedEnvelope;
import io.redpacket.settlement.records.VerifiedOpen;
import io.redpacket.settlement.rules.BlacklistRule;
import io.redpacket.settlement.rules.EnvelopeClaims;
import io.redpacket.settlement.rules.EnvelopeClaims.Verdict;
import io.redpacket.settlement.rules.Retention;
import java.util.BitSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by envelope block ({@link EnvelopeClaims#blockOf}): holds the records generation wrote, each parallel
 * instance only those of its key groups, and lets exactly one open event claim each envelope.
 *
 * <p>The keyed input carries two things. Pre-generated records, read once from the variant's envelope files
 * by a bounded source when the job first starts, are stored as they come. Opens are judged by
 * {@link EnvelopeClaims}: the record the token carried must be the one generation wrote (else NOT_PREGENERATED
 * or RECORD_MISMATCH), the ticket's key must not be blacklisted (live, from the control topic as broadcast
 * state; a refused open does not use up its envelope), and the envelope must not be claimed by another event
 * (DUPLICATE_ENVELOPE); the first acceptable open replaces the record with its event id and goes on. The same
 * event delivered again (a producer retry, an edge re-sending) is no new open: it is counted on
 * {@link Outputs#REDELIVERED} and goes on flagged as a redelivery, for the caps step to answer it as it answered
 * the first delivery (nothing if accepted, else the same cap). An event refused under a blacklisted key is refused
 * again when redelivered, even if the key was lifted since.
 *
 * <p>Opens that arrive before every record is loaded wait in keyed state. The records' source emits no
 * watermark until it has read every file, and then the final one, so this operator's watermark stays at its
 * minimum exactly until all records are in (and the opens' and control stream's watermarks exist); waiting opens
 * are released by an event-time timer. A restore does not reload: the finished source stays finished and its
 * final watermark is sent again at once.
 *
 * <p>State is dropped by one processing-time timer per block when the campaign's retention ends; from then on
 * every open is rejected (TOKEN_EXPIRED), since a replay could no longer be recognised.
 */
public class ClaimEnvelopes extends KeyedBroadcastProcessFunction<Long, ClaimInput, ControlCommand, VerifiedOpen> {
    /** Fires once this operator's watermark leaves its minimum: every pre-generated record is loaded. */
    static final long ALL_LOADED = Long.MIN_VALUE + 1;

    private final long retainUntilMs;
    private final int[] initialBlacklist;
    private final long firstBlock;
    private transient KeyBlacklist initiallyBlocked;
    private transient MapState<Integer, byte[]> envelopes;
    private transient ListState<VerifiedOpen> waiting;
    /** Blocks whose retention timer this instance registered since it started (registering is idempotent, but not free). */
    private transient BitSet retentionTimers;

    private transient Counter loaded;
    private transient Counter redelivered;

    public ClaimEnvelopes(Settings settings) {
        this.retainUntilMs = settings.retainUntilMs();
        this.initialBlacklist = settings.initialBlacklist().clone();
        this.firstBlock = EnvelopeClaims.blockOf(settings.firstEnvelopeId());
    }

    @Override
    public void open(OpenContext ctx) {
        initiallyBlocked = KeyBlacklist.of(initialBlacklist);
        envelopes = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "envelopes", Types.INT, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        waiting = getRuntimeContext()
                .getListState(new ListStateDescriptor<>("waiting-opens", TypeInformation.of(VerifiedOpen.class)));
        retentionTimers = new BitSet();
        loaded = getRuntimeContext().getMetricGroup().counter("pregenerated_records_loaded");
        redelivered = getRuntimeContext().getMetricGroup().counter("redelivered_opens");
    }

    @Override
    public void processElement(ClaimInput in, ReadOnlyContext ctx, Collector<VerifiedOpen> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (in.envelope != null) {
            load(in.envelope, ctx, now);
            return;
        }
        VerifiedOpen v = in.open;
        if (now < retainUntilMs && ctx.timerService().currentWatermark() < ALL_LOADED) {
            waiting.add(v);
            ctx.timerService().registerEventTimeTimer(ALL_LOADED);
            return;
        }
        claim(v, ctx, out, now);
    }

    private void load(PregeneratedEnvelope e, ReadOnlyContext ctx, long now) throws Exception {
        if (now >= retainUntilMs) {
            return;
        }
        envelopes.put(EnvelopeClaims.slotOf(e.envelopeId), EnvelopeClaims.loaded(e.record));
        loaded.inc();
        long block = EnvelopeClaims.blockOf(e.envelopeId);
        int bit = (int) Math.max(0, block - firstBlock); // ids are below 2^40, so blocks fit an int
        if (!retentionTimers.get(bit)) {
            retentionTimers.set(bit);
            ctx.timerService().registerProcessingTimeTimer(Retention.cleanupAt(retainUntilMs, now));
        }
    }

    private void claim(VerifiedOpen v, ReadOnlyContext ctx, Collector<VerifiedOpen> out, long now) throws Exception {
        if (now >= retainUntilMs) {
            // Without the state a replay could not be told from a first open: after retention nothing is credited.
            ctx.output(Outputs.REJECTS, v.reject(RejectReason.TOKEN_EXPIRED, "campaign retention ended", now));
            return;
        }
        int slot = EnvelopeClaims.slotOf(v.envelopeId);
        byte[] stored = envelopes.get(slot);
        boolean blocked = BlacklistRule.isBlocked(
                v.keyId, ctx.getBroadcastState(ControlState.BLACKLIST).get(v.keyId), initiallyBlocked);
        Verdict verdict = EnvelopeClaims.judge(stored, v.record, v.eventId, blocked);
        byte[] next = stored == null ? null : EnvelopeClaims.after(stored, verdict, v.eventId);
        if (next != stored) {
            envelopes.put(slot, next);
        }
        v.record = null; // checked: the next steps do not need it
        switch (verdict) {
            case CLAIM -> out.collect(v);
            case REDELIVERY -> {
                // counted here; the caps step answers it as it answered the first delivery (nothing, or its reject)
                redelivered.inc();
                ctx.output(Outputs.REDELIVERED, v);
                v.redelivery = true;
                out.collect(v);
            }
            case NOT_PREGENERATED ->
                ctx.output(
                        Outputs.REJECTS,
                        v.reject(RejectReason.NOT_PREGENERATED, "generation wrote no envelope " + v.envelopeId, now));
            case RECORD_MISMATCH ->
                ctx.output(
                        Outputs.REJECTS,
                        v.reject(
                                RejectReason.RECORD_MISMATCH,
                                "record differs from the one generation wrote for envelope " + v.envelopeId,
                                now));
            case DUPLICATE_ENVELOPE ->
                ctx.output(
                        Outputs.REJECTS,
                        v.reject(
                                RejectReason.DUPLICATE_ENVELOPE,
                                "envelope already claimed by another open event",
                                now));
            case BLACKLISTED_KEY ->
                ctx.output(
                        Outputs.REJECTS,
                        v.reject(RejectReason.BLACKLISTED_KEY, "ticket key " + v.keyId + " is blacklisted", now));
        }
    }

    @Override
    public void processBroadcastElement(ControlCommand c, Context ctx, Collector<VerifiedOpen> out) throws Exception {
        if (c.getKeyId() == null) {
            return;
        }
        BroadcastState<Integer, Boolean> state = ctx.getBroadcastState(ControlState.BLACKLIST);
        switch (c.getAction()) {
            case BLACKLIST_KEY -> state.put(c.getKeyId(), Boolean.TRUE);
            case UNBLACKLIST_KEY -> state.put(c.getKeyId(), Boolean.FALSE);
            default -> {
                // other commands are for the edges or the rate shaper
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<VerifiedOpen> out) throws Exception {
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            long now = ctx.timerService().currentProcessingTime();
            for (VerifiedOpen v : waiting.get()) {
                claim(v, ctx, out, now);
            }
            waiting.clear();
        } else {
            envelopes.clear();
            waiting.clear();
        }
    }
}
