package io.redpacket.settlement.functions;

import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.RejectReason;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.records.VerifiedOpen;
import io.redpacket.settlement.rules.CapRule;
import io.redpacket.settlement.rules.RateWindow;
import io.redpacket.settlement.rules.Retention;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by user id: applies {@link CapRule} across all edges (every open of a user meets here, whichever edge
 * served it). Holds at most three entries (envelope and sponsor) per user; dropped when the campaign's retention ends.
 *
 * <p>An identical redelivery of an open event that claimed its envelope (flagged by {@link ClaimEnvelopes}) gets
 * the answer its first delivery got: nothing if that was accepted (the envelope is among the user's), else the
 * cap it broke, again (caps only tighten as a user's envelopes add up). So every delivery of a rejected event is
 * answered by a reject, and no delivery after the first of an accepted one is.
 *
 * <p>An open within the caps is credited here at once when its channel is unshaped (the cash fast channel,
 * which carries most credits), so the bulk of the traffic crosses no further shuffle; an open of a channel with
 * a limit goes to the rate shaper through {@link Outputs#TO_SHAPE}. The limits are the configured ones,
 * overridden by SET_CHANNEL_LIMIT from the control topic (the same broadcast state the shaper reads), so an
 * operator can put a limit on the cash channel while running and its opens start queueing at the shaper.
 */
public class EnforceCaps extends KeyedBroadcastProcessFunction<String, VerifiedOpen, ControlCommand, CreditInstruction> {
    private final Settings settings;
    private transient ListState<String> accepted;

    public EnforceCaps(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) {
        accepted = getRuntimeContext().getListState(new ListStateDescriptor<>("user-envelopes", Types.STRING));
    }

    @Override
    public void processElement(VerifiedOpen v, ReadOnlyContext ctx, Collector<CreditInstruction> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        List<String> credited = new ArrayList<>(CapRule.MAX_PER_USER);
        for (String s : accepted.get()) {
            credited.add(s);
        }
        if (v.redelivery) {
            if (!CapRule.holds(credited, v.envelopeId)) {
                RejectReason again = CapRule.check(credited, v.sponsorId);
                // within retention a cap broken once stays broken; without state only the retention can have ended
                ctx.output(Outputs.REJECTS, again != null
                        ? v.reject(again, "redelivered; user " + v.userId + " already holds " + credited.size() + " envelopes", now)
                        : v.reject(RejectReason.TOKEN_EXPIRED, "campaign retention ended", now));
            }
            return;
        }
        RejectReason broken = CapRule.check(credited, v.sponsorId);
        if (broken != null) {
            ctx.output(Outputs.REJECTS, v.reject(broken, "user " + v.userId + " already holds " + credited.size() + " envelopes", now));
            return;
        }
        if (credited.isEmpty()) {
            ctx.timerService().registerProcessingTimeTimer(Retention.cleanupAt(settings.retainUntilMs(), now));
        }
        accepted.add(CapRule.entry(v.envelopeId, v.sponsorId));
        if (RateWindow.isUnlimited(ControlState.channelLimit(v.channel, settings, ctx.getBroadcastState(ControlState.CHANNEL_LIMITS)))) {
            out.collect(v.toCredit(now));
        } else {
            ctx.output(Outputs.TO_SHAPE, v);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CreditInstruction> out) {
        accepted.clear();
    }

    @Override
    public void processBroadcastElement(ControlCommand c, Context ctx, Collector<CreditInstruction> out) throws Exception {
        ControlState.applyChannelLimit(c, ctx.getBroadcastState(ControlState.CHANNEL_LIMITS));
    }
}
