package io.redpacket.settlement.metrics;

import io.redpacket.avro.CreditInstruction;
import io.redpacket.avro.LiveFlag;
import io.redpacket.avro.OpenEvent;
import io.redpacket.avro.RejectedOpen;
import io.redpacket.settlement.functions.Outputs;
import io.redpacket.settlement.records.BacklogReport;
import io.redpacket.settlement.records.VerifiedOpen;
import java.io.Serializable;

/** Adds one element to a tally. The implementations below define what each live metric counts. */
@FunctionalInterface
public interface Tallier<T> extends Serializable {
    void add(T element, MetricTally tally, long nowMs);

    static Tallier<OpenEvent> opens() {
        return (e, t, now) -> t.add("opens", 1);
    }

    static Tallier<CreditInstruction> credits() {
        return new Credits();
    }

    /** Counts every credit: the tagged names are built once per sponsor and channel, not per credit. */
    final class Credits implements Tallier<CreditInstruction> {
        private transient java.util.Map<String, String> sponsorNames;
        private transient java.util.Map<String, String> channelNames;

        @Override
        public void add(CreditInstruction c, MetricTally t, long nowMs) {
            if (sponsorNames == null) {
                sponsorNames = new java.util.HashMap<>();
                channelNames = new java.util.HashMap<>();
            }
            t.add("credits", 1);
            t.add("credited_fen", c.getAmountFen());
            t.add(
                    sponsorNames.computeIfAbsent(
                            c.getSponsorId(), s -> MetricTally.tagged("credited_fen", "sponsor", s)),
                    c.getAmountFen());
            t.add(channelNames.computeIfAbsent(c.getChannel(), ch -> MetricTally.tagged("credits", "channel", ch)), 1);
            t.latency.record(c.getCreditTimeMs() - c.getOpenTimeMs());
        }
    }

    static Tallier<RejectedOpen> rejects() {
        return (r, t, now) -> {
            t.add("rejects", 1);
            t.add(MetricTally.tagged("rejects", "reason", r.getReason().name()), 1);
            if (r.getDetail().startsWith(Outputs.FINAL_FAILURE)) {
                t.add("final_failures", 1);
            }
        };
    }

    /** Identical redeliveries of an open event that already claimed its envelope: no new answer, only counted. */
    static Tallier<VerifiedOpen> redelivered() {
        return (v, t, now) -> t.add("redelivered_opens", 1);
    }

    /** Live fraud flags: how many were raised, the accounts they named for the first time, the money at stake. */
    static Tallier<LiveFlag> flags() {
        return (f, t, now) -> {
            t.add("flags", 1);
            t.add("flagged_accounts", f.getNewAccounts().size());
            t.add("flagged_opened_fen", f.getOpenedFen());
        };
    }

    /** Opens of accounts under review, kept instead of credited; {@link #unheld()} counts those a reviewer decided on. */
    static Tallier<VerifiedOpen> held() {
        return (v, t, now) -> {
            t.add("held_opens", 1);
            t.add("held_fen", v.amountFen);
        };
    }

    /** Held opens released (then credited) or refused (confirmed fraud): held minus unheld is what waits for review. */
    static Tallier<VerifiedOpen> unheld() {
        return (v, t, now) -> {
            t.add("unheld_opens", 1);
            t.add("unheld_fen", v.amountFen);
        };
    }

    static Tallier<BacklogReport> backlog() {
        return (b, t, now) -> t.gauge(MetricTally.tagged("backlog", "channel", b.channel), b.backlog);
    }
}
