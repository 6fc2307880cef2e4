package io.redpacket.settlement.functions;

import io.redpacket.avro.RejectReason;
import io.redpacket.settlement.VerifiedOpen;
import io.redpacket.settlement.rules.Retention;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by envelope id: the first verified open of an envelope passes, every later one (a replay, an edge's
 * redelivery, another device of the same user) is rejected as DUPLICATE_ENVELOPE. Another user cannot present
 * the envelope at all (the token is bound to the user). The key's state is dropped by a processing-time timer
 * when the campaign's retention ends; from then on every open is rejected (TOKEN_EXPIRED), since a replay
 * could no longer be recognised.
 */
public class DedupeEnvelopes extends KeyedProcessFunction<Long, VerifiedOpen, VerifiedOpen> {
    private final long retainUntilMs;
    private transient ValueState<Boolean> seen;

    public DedupeEnvelopes(long retainUntilMs) {
        this.retainUntilMs = retainUntilMs;
    }

    @Override
    public void open(OpenContext ctx) {
        seen = getRuntimeContext().getState(new ValueStateDescriptor<>("envelope-seen", Types.BOOLEAN));
    }

    @Override
    public void processElement(VerifiedOpen v, Context ctx, Collector<VerifiedOpen> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (now >= retainUntilMs) {
            // Without the state a replay could not be told from a first open: after retention nothing is credited.
            ctx.output(Outputs.REJECTS, v.reject(RejectReason.TOKEN_EXPIRED, "campaign retention ended", now));
            return;
        }
        if (seen.value() != null) {
            ctx.output(Outputs.REJECTS, v.reject(RejectReason.DUPLICATE_ENVELOPE, "envelope already opened", now));
            return;
        }
        seen.update(Boolean.TRUE);
        ctx.timerService().registerProcessingTimeTimer(Retention.cleanupAt(retainUntilMs, now));
        out.collect(v);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<VerifiedOpen> out) {
        seen.clear();
    }
}
