package io.redpacket.settlement.functions;

import io.redpacket.avro.ControlCommand;
import io.redpacket.avro.CreditInstruction;
import io.redpacket.settlement.Settings;
import io.redpacket.settlement.records.BacklogReport;
import io.redpacket.settlement.records.VerifiedOpen;
import io.redpacket.settlement.rules.RateWindow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by channel (an unshaped channel by channel and shard, see {@link Settings#shapingKey}): turns accepted opens into credit instructions no faster than the channel's limit, at
 * 100 ms granularity ({@link RateWindow}). What does not fit waits in keyed state, numbered by arrival, and a
 * processing-time timer at each following bucket releases it in arrival order: nothing is dropped, a slow
 * payment partner only delays crediting. Limits come from config and can be changed while running with
 * SET_CHANNEL_LIMIT on the control topic (broadcast state, so it survives a restore). A limit of 0 means
 * unshaped: such a channel keeps no state at all while it has no backlog. When a channel's queue is empty at
 * the end of a bucket, all its state is cleared.
 */
public class ShapeCredits
        extends KeyedBroadcastProcessFunction<String, VerifiedOpen, ControlCommand, CreditInstruction> {
    private final Settings settings;
    private transient ValueState<RateWindow> window;
    private transient ValueState<Long> head;
    private transient ValueState<Long> tail;
    private transient MapState<Long, VerifiedOpen> queue;

    public ShapeCredits(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext ctx) {
        window = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("rate-window", TypeInformation.of(RateWindow.class)));
        head = getRuntimeContext().getState(new ValueStateDescriptor<>("queue-head", Types.LONG));
        tail = getRuntimeContext().getState(new ValueStateDescriptor<>("queue-tail", Types.LONG));
        queue = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>("queue", Types.LONG, TypeInformation.of(VerifiedOpen.class)));
    }

    @Override
    public void processElement(VerifiedOpen v, ReadOnlyContext ctx, Collector<CreditInstruction> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        long limit = limitOf(ctx.getCurrentKey(), ctx.getBroadcastState(ControlState.CHANNEL_LIMITS));
        long h = orZero(head.value());
        long t = orZero(tail.value());
        if (h == t) {
            if (RateWindow.isUnlimited(limit)) {
                out.collect(v.toCredit(now));
                return;
            }
            RateWindow w = orNew(window.value());
            if (w.room(now, limit) > 0) {
                w.take(1);
                window.update(w);
                out.collect(v.toCredit(now));
                // closes the bucket: clears the window state if nothing is waiting by then
                ctx.timerService().registerProcessingTimeTimer(RateWindow.nextBucketStart(now));
                return;
            }
        }
        queue.put(t, v);
        tail.update(t + 1);
        if (h == t) {
            head.update(h);
            ctx.timerService().registerProcessingTimeTimer(RateWindow.nextBucketStart(now));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CreditInstruction> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        long h = orZero(head.value());
        long t = orZero(tail.value());
        if (h < t) {
            long limit = limitOf(ctx.getCurrentKey(), ctx.getBroadcastState(ControlState.CHANNEL_LIMITS));
            RateWindow w = orNew(window.value());
            long release = Math.min(w.room(now, limit), t - h);
            for (long i = 0; i < release; i++, h++) {
                out.collect(queue.get(h).toCredit(now));
                queue.remove(h);
            }
            w.take(release);
            window.update(w);
            ctx.output(Outputs.BACKLOG, new BacklogReport(ctx.getCurrentKey(), t - h, now));
        }
        RateWindow w = window.value();
        if (h < t) {
            head.update(h);
            ctx.timerService().registerProcessingTimeTimer(RateWindow.nextBucketStart(now));
        } else if (w != null && w.bucketStartMs == RateWindow.bucketStart(now)) {
            // opens already credited in this bucket (the timer fired late): keep counting them until it closes
            head.clear();
            tail.clear();
            ctx.timerService().registerProcessingTimeTimer(RateWindow.nextBucketStart(now));
        } else {
            head.clear();
            tail.clear();
            window.clear();
        }
    }

    @Override
    public void processBroadcastElement(ControlCommand c, Context ctx, Collector<CreditInstruction> out)
            throws Exception {
        ControlState.applyChannelLimit(c, ctx.getBroadcastState(ControlState.CHANNEL_LIMITS));
    }

    private long limitOf(String shapingKey, ReadOnlyBroadcastState<String, Long> limits) throws Exception {
        return settings.limitOfKey(
                shapingKey, ControlState.channelLimit(Settings.channelOf(shapingKey), settings, limits));
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    private static RateWindow orNew(RateWindow w) {
        return w == null ? new RateWindow() : w;
    }
}
