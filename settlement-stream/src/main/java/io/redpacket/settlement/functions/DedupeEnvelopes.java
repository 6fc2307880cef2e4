package io.redpacket.settlement.functions;

import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.RejectReason;
import io.redpacket.keys.KeyBlacklist;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.VerifiedOpen;
import io.redpacket.settlement.rules.BlacklistRule;
import io.redpacket.settlement.rules.EnvelopeBitmap;
import io.redpacket.settlement.rules.Retention;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by envelope block ({@link EnvelopeBitmap#blockOf}): first the live key blacklist (broadcast state from
 * the control topic, see {@link BlacklistRule}), then the envelope: the first verified open of an envelope
 * passes, every later one (a replay, an edge's redelivery, another device of the same user, a second token for
 * the same envelope) is rejected as DUPLICATE_ENVELOPE. An open under a blacklisted key does not mark its
 * envelope, so it can still be opened if the key is lifted. The block's bitmap is dropped by one
 * processing-time timer when the campaign's retention ends; from then on every open is rejected
 * (TOKEN_EXPIRED), since a replay could no longer be recognised.
 */
public class DedupeEnvelopes extends KeyedBroadcastProcessFunction<Long, VerifiedOpen, ControlCommand, VerifiedOpen> {
    private final long retainUntilMs;
    private final int[] initialBlacklist;
    private transient KeyBlacklist initiallyBlocked;
    private transient ValueState<byte[]> opened;

    public DedupeEnvelopes(Settings settings) {
        this.retainUntilMs = settings.retainUntilMs();
        this.initialBlacklist = settings.initialBlacklist().clone();
    }

    /** The key this function expects its input to be partitioned by. */
    public static long keyOf(VerifiedOpen v) {
        return EnvelopeBitmap.blockOf(v.envelopeId);
    }

    @Override
    public void open(OpenContext ctx) {
        initiallyBlocked = KeyBlacklist.of(initialBlacklist);
        opened = getRuntimeContext().getState(
                new ValueStateDescriptor<>("opened-envelopes", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(VerifiedOpen v, ReadOnlyContext ctx, Collector<VerifiedOpen> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (now >= retainUntilMs) {
            // Without the state a replay could not be told from a first open: after retention nothing is credited.
            ctx.output(Outputs.REJECTS, v.reject(RejectReason.TOKEN_EXPIRED, "campaign retention ended", now));
            return;
        }
        if (BlacklistRule.isBlocked(v.keyId, ctx.getBroadcastState(ControlState.BLACKLIST).get(v.keyId), initiallyBlocked)) {
            ctx.output(Outputs.REJECTS, v.reject(RejectReason.BLACKLISTED_KEY, "ticket key " + v.keyId + " is blacklisted", now));
            return;
        }
        byte[] bitmap = opened.value();
        if (bitmap == null) {
            bitmap = EnvelopeBitmap.empty();
            ctx.timerService().registerProcessingTimeTimer(Retention.cleanupAt(retainUntilMs, now));
        } else if (EnvelopeBitmap.contains(bitmap, v.envelopeId)) {
            ctx.output(Outputs.REJECTS, v.reject(RejectReason.DUPLICATE_ENVELOPE, "envelope already opened", now));
            return;
        }
        EnvelopeBitmap.add(bitmap, v.envelopeId);
        opened.update(bitmap);
        out.collect(v);
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
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<VerifiedOpen> out) {
        opened.clear();
    }
}
