package io.redpacket.settlement;

import java.io.Serializable;
import java.util.Map;

/**
 * What the operators need at run time, as a small serializable value built once from {@link SettlementConfig}.
 * Locations (URIs), not key material and not the password: the key ring is loaded from its password-protected
 * store in {@code open()}, with the password from the password file or the TaskManagers' environment, so no
 * secret ever travels in the job graph.
 */
public record Settings(
        String variantDir,
        String passwordFile,
        long maxTokenAgeMs,
        int[] initialBlacklist,
        long retainUntilMs,
        Map<String, Long> channelLimits,
        long defaultChannelLimit,
        int unshapedShards,
        long firstEnvelopeId)
        implements Serializable {

    public long limitOf(String channel) {
        Long l = channelLimits.get(channel);
        return l != null ? l : defaultChannelLimit;
    }

    /**
     * The rate shaper's key. A channel with a configured limit is one key, so its limit and arrival order hold
     * exactly; an unshaped channel (the cash fast channel, which carries most credits) is spread over
     * {@code unshapedShards} keys by envelope id, so crediting is not confined to one parallel instance.
     */
    public String shapingKey(String channel, long envelopeId) {
        if (unshapedShards <= 1 || !io.redpacket.settlement.rules.RateWindow.isUnlimited(limitOf(channel))) {
            return channel;
        }
        return channel + SHARD_SEPARATOR + Math.floorMod(envelopeId, unshapedShards);
    }

    public static final char SHARD_SEPARATOR = '#';

    /** The channel a shaping key stands for. */
    public static String channelOf(String shapingKey) {
        int i = shapingKey.indexOf(SHARD_SEPARATOR);
        return i < 0 ? shapingKey : shapingKey.substring(0, i);
    }

    /**
     * The share of a per-second limit that one shard of a sharded channel enforces (a limit set at run time on
     * a channel configured as unshaped): shares add up to the limit; a limit below the shard count gives every
     * shard at least 1/s, the one place the channel may exceed its limit (by at most shards - 1 per second).
     */
    public long limitOfKey(String shapingKey, long channelLimit) {
        int i = shapingKey.indexOf(SHARD_SEPARATOR);
        if (i < 0 || io.redpacket.settlement.rules.RateWindow.isUnlimited(channelLimit)) {
            return channelLimit;
        }
        long shard = Long.parseLong(shapingKey.substring(i + 1));
        long share = channelLimit * (shard + 1) / unshapedShards - channelLimit * shard / unshapedShards;
        return Math.max(1, share);
    }
}
