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
 * ({@link DeviceSharing}). The device's state goes a window after its latest open, so an idle device costs nothing.
 *
 * <p>One event-time timer per device, set by its first open and never moved: when it fires and a later open has
 * pushed the device's end further, it is set again there. Moving it at every open (delete, then register) cost two
 * writes to RocksDB's timer column family per open; this way a device that opens steadily costs one per window.
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
        boolean timerSet = s.size() > 0;
        DeviceSharing.Flag flag = rule.observe(s, v.userId, v.openTimeMs, v.amountFen);
        if (!timerSet) {
            ctx.timerService().registerEventTimeTimer(rule.expiresAt(s));
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
        // Only the device's end (a window after its latest open) clears it, as if the timer had moved with every
        // open: accounts aged out before it are forgotten by the next open (observe), not here.
        long end = rule.expiresAt(s);
        if (end > timestamp) {
            ctx.timerService().registerEventTimeTimer(end);
        } else {
            sightings.clear();
        }
    }
}
