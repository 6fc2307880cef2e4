package io.redpacket.edge.control;

import io.redpacket.avro.ControlCommand;
import io.redpacket.edge.EdgeService;
import io.redpacket.edge.dispense.SlotSchedule;
import io.redpacket.edge.http.HttpReplies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' switches as an edge applies them, from the control topic (every edge reads every command, in
 * order, from the first; see {@code kafka.ControlFeed}) or, for local diagnostics, from the admin port. No Kafka
 * or Netty type: plain rules, unit-tested.
 *
 * <p>What each {@code ControlAction} does here: PAUSE/RESUME_DISPENSING, SET_DISPENSE_RATE ({@code value} per
 * second), BLACKLIST_KEY / UNBLACKLIST_KEY ({@code keyId}: skipped at shake, refused at open), SHIFT_COUNTDOWN
 * ({@code value} ms added to the shift: commands are deltas, so replaying the topic from the start rebuilds the same
 * time axis), DECLARE_EDGE_DEAD ({@code edgeId} dead from slot index {@code value}, or from the next slot when
 * absent). A command with an {@code edgeId} other than DECLARE_EDGE_DEAD is for that edge only. SET_CHANNEL_LIMIT
 * is settlement's and is ignored. Each applied switch is one WARN line, its values escaped.
 */
public final class Switches {
    private static final Logger LOG = LoggerFactory.getLogger(Switches.class);

    public enum Outcome {
        APPLIED,
        IGNORED,
        REFUSED
    }

    private final EdgeService edge;

    public Switches(EdgeService edge) {
        this.edge = edge;
    }

    public Outcome apply(ControlCommand c) {
        int id = edge.settings().edgeId();
        String who = HttpReplies.loggable(c.getOperator()) + " (" + HttpReplies.loggable(c.getCommandId()) + ")";
        SlotSchedule schedule = edge.dispenser().schedule();
        try {
            if (c.getEdgeId() != null
                    && c.getEdgeId() != id
                    && c.getAction() != io.redpacket.avro.ControlAction.DECLARE_EDGE_DEAD) {
                return Outcome.IGNORED;
            }
            switch (c.getAction()) {
                case PAUSE_DISPENSING -> {
                    edge.setPaused(true);
                    LOG.warn("edge {}: SWITCH pause dispensing, by {}", id, who);
                }
                case RESUME_DISPENSING -> {
                    edge.setPaused(false);
                    LOG.warn("edge {}: SWITCH resume dispensing, by {}", id, who);
                }
                case SET_DISPENSE_RATE -> {
                    long rate = required(c.getValue(), "value");
                    long before = edge.rate();
                    edge.setRate(rate);
                    LOG.warn("edge {}: SWITCH dispense rate {} -> {}/s, by {}", id, before, rate, who);
                }
                case BLACKLIST_KEY -> {
                    int key = (int)
                            required(c.getKeyId() == null ? null : c.getKeyId().longValue(), "keyId");
                    edge.blacklistKey(key);
                    LOG.warn("edge {}: SWITCH blacklist key {}, by {}", id, key, who);
                }
                case UNBLACKLIST_KEY -> {
                    int key = (int)
                            required(c.getKeyId() == null ? null : c.getKeyId().longValue(), "keyId");
                    edge.unblacklistKey(key);
                    LOG.warn("edge {}: SWITCH key {} lifted from the blacklist, by {}", id, key, who);
                }
                case SHIFT_COUNTDOWN -> {
                    long delta = required(c.getValue(), "value");
                    long total = schedule.shiftBy(delta);
                    LOG.warn("edge {}: SWITCH countdown shifted by {} ms (total {} ms), by {}", id, delta, total, who);
                }
                case DECLARE_EDGE_DEAD -> {
                    int dead = (int) required(
                            c.getEdgeId() == null ? null : c.getEdgeId().longValue(), "edgeId");
                    int from = c.getValue() != null
                            ? (int) (long) c.getValue()
                            : schedule.nextSlotIndex(edge.clock().nowMs());
                    edge.dispenser().table().declareDead(dead, from);
                    LOG.warn(
                            "edge {}: SWITCH edge {} declared dead from slot index {}, by {}; shard table {}",
                            id,
                            dead,
                            from,
                            who,
                            edge.dispenser().table().describe());
                }
                default -> {
                    return Outcome.IGNORED;
                }
            }
            return Outcome.APPLIED;
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "edge {}: switch {} {} refused: {}", id, c.getAction(), who, HttpReplies.loggable(e.getMessage()));
            return Outcome.REFUSED;
        }
    }

    private static long required(Long v, String field) {
        if (v == null) {
            throw new IllegalArgumentException(field + ": required");
        }
        return v;
    }
}
