package io.redpacket.settlement.functions;

import io.redpacket.avro.RejectReason;
import io.redpacket.settlement.VerifiedOpen;
import io.redpacket.settlement.rules.CapRule;
import io.redpacket.settlement.rules.Retention;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by user id: applies {@link CapRule} across all edges (every open of a user meets here, whichever edge
 * served it). Holds at most three sponsor ids per user; dropped when the campaign's retention ends.
 */
public class EnforceCaps extends KeyedProcessFunction<String, VerifiedOpen, VerifiedOpen> {
    private final long retainUntilMs;
    private transient ListState<String> sponsors;

    public EnforceCaps(long retainUntilMs) {
        this.retainUntilMs = retainUntilMs;
    }

    @Override
    public void open(OpenContext ctx) {
        sponsors = getRuntimeContext().getListState(new ListStateDescriptor<>("user-sponsors", Types.STRING));
    }

    @Override
    public void processElement(VerifiedOpen v, Context ctx, Collector<VerifiedOpen> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        List<String> credited = new ArrayList<>(CapRule.MAX_PER_USER);
        for (String s : sponsors.get()) {
            credited.add(s);
        }
        RejectReason broken = CapRule.check(credited, v.sponsorId);
        if (broken != null) {
            ctx.output(Outputs.REJECTS, v.reject(broken, "user " + v.userId + " already holds " + credited.size() + " envelopes", now));
            return;
        }
        if (credited.isEmpty()) {
            ctx.timerService().registerProcessingTimeTimer(Retention.cleanupAt(retainUntilMs, now));
        }
        sponsors.add(v.sponsorId);
        out.collect(v);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<VerifiedOpen> out) {
        sponsors.clear();
    }
}
