package io.redpacket.settlement.functions;

import io.redpacket.avro.LiveFlag;
import io.redpacket.settlement.records.VerifiedOpen;
import io.redpacket.settlement.rules.DeviceSharing;
import java.util.ArrayList;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by device: raises a {@link LiveFlag} when a device carries too many accounts within the window
 * ({@link DeviceSharing}). One event-time timer per device, a window after its latest open, forgets what has aged
 * out and clears the device's state once nothing is left, so an idle device costs nothing.
 */
public class FlagSharedDevices extends KeyedProcessFunction<String, VerifiedOpen, LiveFlag> {
    private final DeviceSharing rule;
    private transient ValueState<DeviceSharing.Sightings> sightings;

    public FlagSharedDevices(DeviceSharing rule) {
        this.rule = rule;
    }

    @Override
    public void open(OpenContext ctx) {
        sightings = getRuntimeContext()
                .getState(new ValueStateDescriptor<>(
                        "device-sightings", TypeInformation.of(DeviceSharing.Sightings.class)));
    }

    @Override
    public void processElement(VerifiedOpen v, Context ctx, Collector<LiveFlag> out) throws Exception {
        DeviceSharing.Sightings s = sightings.value();
        if (s == null) {
            s = new DeviceSharing.Sightings();
        }
        long before = s.size() > 0 ? rule.expiresAt(s) : Long.MIN_VALUE;
        DeviceSharing.Flag flag = rule.observe(s, v.userId, v.openTimeMs, v.amountFen);
        long after = rule.expiresAt(s);
        if (after != before) {
            if (before != Long.MIN_VALUE) {
                ctx.timerService().deleteEventTimeTimer(before);
            }
            ctx.timerService().registerEventTimeTimer(after);
        }
        sightings.update(s);
        if (flag != null) {
            out.collect(LiveFlag.newBuilder()
                    .setFlagId(DeviceSharing.KIND + ":" + ctx.getCurrentKey() + ":" + flag.lastSeenMs())
                    .setKind(DeviceSharing.KIND)
                    .setSubject(ctx.getCurrentKey())
                    .setAccounts(new ArrayList<>(flag.accounts()))
                    .setNewAccounts(new ArrayList<>(flag.newAccounts()))
                    .setWindowMs(rule.windowMs())
                    .setFirstSeenMs(flag.firstSeenMs())
                    .setLastSeenMs(flag.lastSeenMs())
                    .setOpenedFen(flag.openedFen())
                    .build());
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LiveFlag> out) throws Exception {
        DeviceSharing.Sightings s = sightings.value();
        if (s == null) {
            return;
        }
        // The timer stands a window after the latest open: what was last seen at or before that open's time is out.
        if (rule.expire(s, timestamp - rule.windowMs() + 1)) {
            sightings.update(s);
            ctx.timerService().registerEventTimeTimer(rule.expiresAt(s));
        } else {
            sightings.clear();
        }
    }
}
