package io.redpacket.settlement.functions;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/** Broadcast state written from the control topic: every parallel instance holds the same copy. */
public final class ControlState {
    private ControlState() {}

    /** Ticket key id -> the operators' latest decision: true = blacklisted, false = lifted (see BlacklistRule). */
    public static final MapStateDescriptor<Integer, Boolean> BLACKLIST =
            new MapStateDescriptor<>("blacklisted-keys", Types.INT, Types.BOOLEAN);

    /** Channel -> credits per second set by an operator; overrides the configured limit. */
    public static final MapStateDescriptor<String, Long> CHANNEL_LIMITS =
            new MapStateDescriptor<>("channel-limits", Types.STRING, Types.LONG);
}
