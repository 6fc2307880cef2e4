package io.redpacket.settlement.functions;

import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.RejectReason;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.records.VerifiedOpen;
import io.redpacket.settlement.rules.AccountReview;
import io.redpacket.settlement.rules.CapRule;
import io.redpacket.settlement.rules.RateWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by user id: applies {@link CapRule} across all edges (every open of a user meets here, whichever edge
 * served it). Holds at most three entries (envelope and sponsor) per user, all dropped at once when the campaign's retention ends
 * ({@link RetainedKeyedBroadcastOperator}: no timer per user).
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
public class EnforceCaps extends KeyedBroadcastProcessFunction<String, VerifiedOpen, ControlCommand, CreditInstruction>
        implements RetainedKeyedBroadcastOperator.Retained {
    static final ListStateDescriptor<String> USER_ENVELOPES = new ListStateDescriptor<>("user-envelopes", Types.STRING);
    /** Every delivery of a held account's opens within the caps (the first, then identical redeliveries), in order. */
    static final ListStateDescriptor<VerifiedOpen> HELD_OPENS =
            new ListStateDescriptor<>("held-opens", TypeInformation.of(VerifiedOpen.class));

    private final Settings settings;
    private transient ListState<String> accepted;
    private transient ListState<VerifiedOpen> held;

    public EnforceCaps(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) {
        accepted = getRuntimeContext().getListState(USER_ENVELOPES);
        held = getRuntimeContext().getListState(HELD_OPENS);
    }

    /** The operator to run this function in: it clears the users' state when the campaign's retention ends. */
    public RetainedKeyedBroadcastOperator<String, VerifiedOpen, ControlCommand, CreditInstruction> operator() {
        return new RetainedKeyedBroadcastOperator<>(
                this, List.of(ControlState.CHANNEL_LIMITS, ControlState.ACCOUNT_REVIEW));
    }

    @Override
    public long retainUntilMs() {
        return settings.retainUntilMs();
    }

    @Override
    public List<StateDescriptor<? extends State, ?>> retainedState() {
        return List.of(USER_ENVELOPES, HELD_OPENS);
    }

    @Override
    public void processElement(VerifiedOpen v, ReadOnlyContext ctx, Collector<CreditInstruction> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (now >= settings.retainUntilMs()) {
            // the users' state is gone (or about to go): as in the claim step, nothing is credited after retention
            ctx.output(Outputs.REJECTS, v.reject(RejectReason.TOKEN_EXPIRED, "campaign retention ended", now));
            return;
        }
        Byte review = ctx.getBroadcastState(ControlState.ACCOUNT_REVIEW).get(v.userId);
        boolean confirmedFraud = review != null && review == AccountReview.CONFIRMED;
        List<String> credited = new ArrayList<>(CapRule.MAX_PER_USER);
        for (String s : accepted.get()) {
            credited.add(s);
        }
        if (v.redelivery) {
            if (!CapRule.holds(credited, v.envelopeId)) {
                RejectReason again =
                        confirmedFraud ? RejectReason.FRAUD_CONFIRMED : CapRule.check(credited, v.sponsorId);
                // within retention a cap broken once stays broken; without state only the retention can have ended
                ctx.output(
                        Outputs.REJECTS,
                        again != null
                                ? v.reject(
                                        again,
                                        "redelivered; user " + v.userId + " already holds " + credited.size()
                                                + " envelopes",
                                        now)
                                : v.reject(RejectReason.TOKEN_EXPIRED, "campaign retention ended", now));
            } else if (review != null && review == AccountReview.HELD && isHeld(v.eventId)) {
                held.add(v); // answered with its first delivery when the review decides
            }
            return;
        }
        if (confirmedFraud) {
            ctx.output(
                    Outputs.REJECTS,
                    v.reject(
                            RejectReason.FRAUD_CONFIRMED,
                            "account " + v.userId + " confirmed as fraud by review",
                            now));
            return;
        }
        RejectReason broken = CapRule.check(credited, v.sponsorId);
        if (broken != null) {
            ctx.output(
                    Outputs.REJECTS,
                    v.reject(broken, "user " + v.userId + " already holds " + credited.size() + " envelopes", now));
            return;
        }
        accepted.add(CapRule.entry(v.envelopeId, v.sponsorId));
        if (review != null && review == AccountReview.HELD) {
            held.add(v);
            ctx.output(Outputs.HELD, v);
            return;
        }
        credit(v, ctx.getBroadcastState(ControlState.CHANNEL_LIMITS), now, out, ctx::output);
    }

    private boolean isHeld(String eventId) throws Exception {
        for (VerifiedOpen h : held.get()) {
            if (h.eventId.equals(eventId)) {
                return true;
            }
        }
        return false;
    }

    private void credit(
            VerifiedOpen v,
            ReadOnlyBroadcastState<String, Long> limits,
            long now,
            Collector<CreditInstruction> out,
            SideOutput toShape)
            throws Exception {
        if (RateWindow.isUnlimited(ControlState.channelLimit(v.channel, settings, limits))) {
            out.collect(v.toCredit(now));
        } else {
            toShape.output(Outputs.TO_SHAPE, v);
        }
    }

    /** Both contexts of the function can emit to a side output; this names what they share. */
    @FunctionalInterface
    private interface SideOutput {
        void output(org.apache.flink.util.OutputTag<VerifiedOpen> tag, VerifiedOpen v);
    }

    @Override
    public void processBroadcastElement(ControlCommand c, Context ctx, Collector<CreditInstruction> out)
            throws Exception {
        ControlState.applyChannelLimit(c, ctx.getBroadcastState(ControlState.CHANNEL_LIMITS));
        if (!AccountReview.isReviewAction(c.getAction()) || c.getUserId() == null) {
            return;
        }
        String user = c.getUserId();
        BroadcastState<String, Byte> review = ctx.getBroadcastState(ControlState.ACCOUNT_REVIEW);
        Byte before = review.get(user);
        Byte after =
                AccountReview.next(before, c.getAction(), AccountReview.LIVE_FLAG_OPERATOR.equals(c.getOperator()));
        if (Objects.equals(before, after)) {
            return;
        }
        review.put(user, after);
        if (after == AccountReview.HELD) {
            return;
        }
        long now = ctx.currentProcessingTime();
        // Every parallel instance gets the decision; only the one that owns the account finds opens kept for it.
        ctx.applyToKeyedState(HELD_OPENS, (key, kept) -> {
            if (!key.equals(user)) {
                return;
            }
            List<VerifiedOpen> deliveries = new ArrayList<>();
            kept.get().forEach(deliveries::add);
            kept.clear();
            if (after == AccountReview.RELEASED) {
                for (VerifiedOpen v : deliveries) {
                    if (!v.redelivery) {
                        credit(v, ctx.getBroadcastState(ControlState.CHANNEL_LIMITS), now, out, ctx::output);
                        ctx.output(Outputs.UNHELD, v);
                    }
                }
                return;
            }
            List<String> refused = new ArrayList<>();
            for (VerifiedOpen v : deliveries) {
                ctx.output(
                        Outputs.REJECTS,
                        v.reject(
                                RejectReason.FRAUD_CONFIRMED,
                                (v.redelivery ? "redelivered; " : "") + "account " + user
                                        + " confirmed as fraud by review (" + c.getOperator() + ")",
                                now));
                if (!v.redelivery) {
                    refused.add(CapRule.entry(v.envelopeId, v.sponsorId));
                    ctx.output(Outputs.UNHELD, v);
                }
            }
            // the refused envelopes no longer count as this account's: their redeliveries are refused as confirmed
            // fraud
            List<String> left = new ArrayList<>();
            for (String e : accepted.get()) {
                if (!refused.contains(e)) {
                    left.add(e);
                }
            }
            accepted.update(left);
        });
    }
}
