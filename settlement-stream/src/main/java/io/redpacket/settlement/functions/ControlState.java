package io.redpacket.settlement.functions;

import io.redpacket.avro.ControlAction;
import io.redpacket.avro.ControlCommand;
import io.redpacket.settlement.Settings;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
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

    /** Account -> where it stands in review ({@link io.redpacket.settlement.rules.AccountReview}); only accounts ever held. */
    public static final MapStateDescriptor<String, Byte> ACCOUNT_REVIEW =
            new MapStateDescriptor<>("account-review", Types.STRING, Types.BYTE);

    /** Records a SET_CHANNEL_LIMIT; every operator that reads channel limits keeps its copy this way. */
    static void applyChannelLimit(ControlCommand c, BroadcastState<String, Long> limits) throws Exception {
        if (c.getAction() == ControlAction.SET_CHANNEL_LIMIT && c.getChannel() != null && c.getValue() != null) {
            limits.put(c.getChannel(), c.getValue());
        }
    }

    /** A channel's limit now: the operators' latest SET_CHANNEL_LIMIT, else the configured one. */
    static long channelLimit(String channel, Settings settings, ReadOnlyBroadcastState<String, Long> limits)
            throws Exception {
        Long l = limits.get(channel);
        return l != null ? l : settings.limitOf(channel);
    }
}
