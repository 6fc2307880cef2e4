package io.redpacket.dashboard;

import io.redpacket.avro.ControlAction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One operator switch, validated before anything is touched: a bad request names the field and what is allowed,
 * and changes nothing. Each switch becomes one {@code ControlCommand} with the operator's name on the control topic;
 * {@code toEdges} says whether the edges act on it (dispensing, rate, blacklist, countdown) or only settlement
 * (channel limits and account review: hold, release, confirm fraud; settlement applies the blacklist too). {@code edgePath} is the same switch on an edge's admin
 * port, for local diagnostics by hand.
 */
public record SwitchRequest(
        Action action,
        Map<String, String> args,
        String edgePath,
        Integer keyId,
        String channel,
        Long value,
        String userId) {

    /** Largest dispense rate per edge an operator may set (the edge itself allows more; this is a guard against typos). */
    public static final long MAX_RATE_PER_SECOND = 10_000_000;
    /** Largest credit limit per channel (credits/s); 0 means unshaped. */
    public static final long MAX_CHANNEL_LIMIT = 10_000_000;
    /** Largest countdown shift in one switch: 24 hours either way. */
    public static final long MAX_SHIFT_MS = 24L * 3600 * 1000;
    /** Key ids of the sealing ring (EnvelopeLayout.MAX_KEY_ID). */
    public static final int MAX_KEY_ID = io.redpacket.envelope.EnvelopeLayout.MAX_KEY_ID;

    public enum Action {
        PAUSE("pause", ControlAction.PAUSE_DISPENSING, true),
        RESUME("resume", ControlAction.RESUME_DISPENSING, true),
        RATE("rate", ControlAction.SET_DISPENSE_RATE, true),
        CHANNEL_LIMIT("channel-limit", ControlAction.SET_CHANNEL_LIMIT, false),
        BLACKLIST("blacklist", ControlAction.BLACKLIST_KEY, true),
        SHIFT("shift", ControlAction.SHIFT_COUNTDOWN, true),
        RELEASE("release-account", ControlAction.RELEASE_ACCOUNT, false),
        CONFIRM("confirm-fraud", ControlAction.CONFIRM_FRAUD, false),
        HOLD("hold-account", ControlAction.HOLD_ACCOUNT, false);

        public final String path;
        public final ControlAction control;
        public final boolean toEdges;

        Action(String path, ControlAction control, boolean toEdges) {
            this.path = path;
            this.control = control;
            this.toEdges = toEdges;
        }

        /** The review switch that publishes this action, or null for any other action. */
        static Action reviewOf(ControlAction control) {
            for (Action a : List.of(HOLD, RELEASE, CONFIRM)) {
                if (a.control == control) {
                    return a;
                }
            }
            return null;
        }

        static Action of(String path) {
            for (Action a : values()) {
                if (a.path.equals(path)) {
                    return a;
                }
            }
            throw new IllegalArgumentException(
                    "unknown switch '" + path + "' (pause, resume, rate, channel-limit, blacklist, shift, "
                            + "hold-account, release-account, confirm-fraud)");
        }
    }

    /**
     * @param params  request parameters; unknown ones are refused so a typo never passes silently
     * @throws IllegalArgumentException with a message for the operator
     */
    public static SwitchRequest parse(String actionPath, Map<String, String> params, Set<String> channels) {
        Action action = Action.of(actionPath);
        Map<String, String> args = new LinkedHashMap<>();
        switch (action) {
            case PAUSE, RESUME -> {
                only(params, Set.of());
                return new SwitchRequest(action, args, action.path, null, null, null, null);
            }
            case RATE -> {
                only(params, Set.of("perSecond"));
                long rate = number(params, "perSecond", 0, MAX_RATE_PER_SECOND);
                args.put("perSecond", Long.toString(rate));
                return new SwitchRequest(action, args, "rate?perSecond=" + rate, null, null, rate, null);
            }
            case BLACKLIST -> {
                only(params, Set.of("keyId"));
                int keyId = (int) number(params, "keyId", 1, MAX_KEY_ID);
                args.put("keyId", Integer.toString(keyId));
                return new SwitchRequest(action, args, "blacklist?keyId=" + keyId, keyId, null, null, null);
            }
            case SHIFT -> {
                only(params, Set.of("ms"));
                long ms = number(params, "ms", -MAX_SHIFT_MS, MAX_SHIFT_MS);
                if (ms == 0) {
                    throw new IllegalArgumentException("ms: 0 shifts nothing");
                }
                args.put("ms", Long.toString(ms));
                return new SwitchRequest(action, args, "shift?ms=" + ms, null, null, ms, null);
            }
            case CHANNEL_LIMIT -> {
                only(params, Set.of("channel", "perSecond"));
                String channel = params.get("channel");
                if (channel == null || channel.isBlank()) {
                    throw new IllegalArgumentException("channel: required (one of " + channels + ")");
                }
                channel = channel.trim();
                if (!channels.contains(channel)) {
                    throw new IllegalArgumentException("channel: '" + channel
                            + "' is not a crediting channel of this campaign (" + channels + ")");
                }
                long limit = number(params, "perSecond", 0, MAX_CHANNEL_LIMIT);
                args.put("channel", channel);
                args.put("perSecond", Long.toString(limit));
                return new SwitchRequest(action, args, null, null, channel, limit, null);
            }
            case HOLD, RELEASE, CONFIRM -> {
                only(params, Set.of("userId"));
                String user = userId(params.get("userId"));
                args.put("userId", user);
                return new SwitchRequest(action, args, null, null, null, null, user);
            }
            default -> throw new IllegalStateException(action.toString());
        }
    }

    /** Longest account id a review switch takes (ids are short; a longer one is a paste error). */
    public static final int MAX_USER_ID = 128;

    private static String userId(String v) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("userId: required, the account to review");
        }
        return identifier("userId", v, MAX_USER_ID);
    }

    /** A name that goes into a command and the audit log as written: printable ASCII, no spaces (no forged log lines). */
    static String identifier(String field, String v, int max) {
        String s = v.trim();
        if (s.isEmpty() || s.length() > max) {
            throw new IllegalArgumentException(field + ": empty or longer than " + max + " characters");
        }
        if (!s.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException(field + ": printable ASCII without spaces only");
        }
        return s;
    }

    private static void only(Map<String, String> params, Set<String> allowed) {
        for (String k : params.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(k + ": not a parameter of this switch"
                        + (allowed.isEmpty() ? " (it takes none)" : " (takes " + allowed + ")"));
            }
        }
    }

    private static long number(Map<String, String> params, String name, long min, long max) {
        String v = params.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(name + ": required, an integer in " + min + ".." + max);
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + v + "' is not an integer (" + min + ".." + max + ")");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + ": " + n + " is out of range " + min + ".." + max);
        }
        return n;
    }
}
