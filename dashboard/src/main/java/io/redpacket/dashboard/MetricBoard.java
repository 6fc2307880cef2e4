package io.redpacket.dashboard;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redpacket.avro.LiveMetric;
import io.redpacket.metrics.LiveCounter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the page shows, computed from the LiveMetric records of the metrics topic. Sources publish counters
 * cumulative since they started and gauges as the value now (settlement's {@code LiveMetrics}, the edges'
 * {@code EdgeLiveMetrics}); this board turns counters into per-second rates by differencing each series
 * against its previous sample, sums the edges, keeps a bounded window of seconds for the charts, and keeps
 * totals that survive a source's restart (a counter that drops restarted: its last value is carried over).
 * Credited fen per sponsor is also attributed to the slot of the script it was credited in (by credit time:
 * the last slot started by then, on the time axis shifted by the edges' countdown correction).
 *
 * <p>Records may arrive late or twice: a sample not newer than the series' last one is ignored. Thread-safe.
 */
public final class MetricBoard {
    public static final String SETTLEMENT = "settlement";
    static final String EDGE_PREFIX = "edge-";
    /** Settlement counters charted per second (untagged). */
    static final Set<String> SETTLEMENT_RATES = Set.of("opens", "credits", "rejects", "credited_fen");
    /** Edge counters charted per second, summed over the edges. */
    static final Set<String> EDGE_RATES = Set.of("dispensed", "shakes", "opens_enqueued");

    static final List<String> LATENCIES = List.of("latency_p50_ms", "latency_p95_ms", "latency_p99_ms");
    /** An edge or settlement not heard from for this long is shown as silent. */
    static final long STALE_MS = 5_000;

    private final ScriptPlan plan;
    private final int historySeconds;
    private final TreeMap<Long, Second> seconds = new TreeMap<>();
    private final Map<String, LiveCounter> counters = new HashMap<>();
    private final Map<String, Source> sources = new TreeMap<>();
    /** Credited fen per slot index (-1 = before the first slot) and sponsor. */
    private final Map<Integer, Map<String, Long>> creditedBySlot = new TreeMap<>();

    private long shiftMs;
    private long shiftAtMs = Long.MIN_VALUE;
    private long records;

    public MetricBoard(ScriptPlan plan, int historySeconds) {
        if (historySeconds < 10) {
            throw new IllegalArgumentException("history of " + historySeconds + " s: at least 10 s");
        }
        this.plan = plan;
        this.historySeconds = historySeconds;
    }

    private static final class Second {
        final Map<String, Double> rates = new TreeMap<>();
        final Map<String, Long> gauges = new TreeMap<>();
    }

    private static final class Source {
        final Map<String, Long> totals = new TreeMap<>();
        final Map<String, Long> gauges = new TreeMap<>();
        final Map<String, Long> gaugeMs = new HashMap<>();
        long lastSeenMs;
    }

    public synchronized void accept(LiveMetric m) {
        records++;
        long t = m.getWindowEndMs();
        String tag = tagOf(m.getTags());
        String key = m.getName() + tag;
        Source src = sources.computeIfAbsent(m.getSource(), k -> new Source());
        src.lastSeenMs = Math.max(src.lastSeenMs, t);
        boolean settlement = SETTLEMENT.equals(m.getSource());
        if (LiveCounter.isGauge(m.getName())) {
            if (t < src.gaugeMs.getOrDefault(key, Long.MIN_VALUE)) {
                return;
            }
            src.gaugeMs.put(key, t);
            src.gauges.put(key, m.getValue());
            if (settlement && (m.getName().equals("backlog") || m.getName().startsWith("latency_"))) {
                second(t).gauges.put(key, m.getValue());
            }
            if (m.getName().equals("countdown_shift_ms") && t >= shiftAtMs) {
                shiftMs = m.getValue();
                shiftAtMs = t;
            }
            return;
        }
        LiveCounter c = counters.computeIfAbsent(m.getSource() + "/" + key, k -> new LiveCounter());
        long previousMs = c.lastMs();
        long delta = c.accept(m.getValue(), t);
        if (delta < 0) {
            return;
        }
        if (previousMs == Long.MIN_VALUE) {
            // The first sample of a series has nothing to differ from: no rate for it.
            second(t);
        } else {
            double rate = delta * 1000.0 / (t - previousMs);
            if (settlement && tag.isEmpty() && SETTLEMENT_RATES.contains(m.getName())) {
                second(t).rates.merge(m.getName(), rate, Double::sum);
            } else if (m.getSource().startsWith(EDGE_PREFIX) && EDGE_RATES.contains(m.getName())) {
                second(t).rates.merge(m.getName(), rate, Double::sum);
            }
        }
        src.totals.put(key, c.total());
        if (settlement && m.getName().equals("credited_fen") && m.getTags().containsKey("sponsor") && delta > 0) {
            int slot = plan.slotForCreditAt(t, shiftMs);
            creditedBySlot
                    .computeIfAbsent(slot, k -> new TreeMap<>())
                    .merge(m.getTags().get("sponsor"), delta, Long::sum);
        }
    }

    private Second second(long ms) {
        long sec = Math.floorDiv(ms, 1000);
        Second s = seconds.computeIfAbsent(sec, k -> new Second());
        while (seconds.firstKey() < seconds.lastKey() - historySeconds) {
            seconds.pollFirstEntry();
        }
        return s;
    }

    static String tagOf(Map<String, String> tags) {
        if (tags == null || tags.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(tags)
                .forEach((k, v) -> sb.append(sb.length() == 0 ? "{" : ",")
                        .append(k)
                        .append('=')
                        .append(v));
        return sb.append('}').toString();
    }

    /** The crediting channel of a settlement shaping key ({@code cash#1} -> {@code cash}). */
    static String channelOf(String shapingKey) {
        int hash = shapingKey.indexOf('#');
        return hash < 0 ? shapingKey : shapingKey.substring(0, hash);
    }

    /** The newest second any chart point is for (0 before the first record). */
    public synchronized long latestSecond() {
        return seconds.isEmpty() ? 0 : seconds.lastKey();
    }

    public synchronized long records() {
        return records;
    }

    /**
     * Everything the page shows, with the chart points of the seconds after {@code afterSecond} (all kept seconds
     * for {@link Long#MIN_VALUE}); {@code nowMs} places the script's slots (done, running, upcoming).
     */
    public synchronized ObjectNode view(long afterSecond, long nowMs) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode v = f.objectNode();
        v.put("nowMs", nowMs);
        v.put("campaign", plan.campaignId());
        v.put("variant", plan.variant());
        v.put("records", records);
        var points = v.putArray("points");
        seconds.tailMap(afterSecond, false).forEach((sec, s) -> points.add(point(sec, s)));
        v.put("latestSecond", seconds.isEmpty() ? 0 : seconds.lastKey());

        Source st = sources.getOrDefault(SETTLEMENT, new Source());
        ObjectNode totals = v.putObject("totals");
        for (String n : List.of(
                "opens",
                "credits",
                "credited_fen",
                "rejects",
                "flags",
                "flagged_accounts",
                "flagged_opened_fen",
                "held_opens",
                "held_fen",
                "unheld_opens",
                "unheld_fen")) {
            totals.put(n, st.totals.getOrDefault(n, 0L));
        }
        long edgeFailures = 0;
        for (String n : List.of("dispensed", "shakes", "opens_enqueued")) {
            totals.put(n, edgeSum(n));
        }
        edgeFailures = edgeSum("final_failures");
        long settlementFailures = st.totals.getOrDefault("final_failures", 0L);
        ObjectNode failures = v.putObject("finalFailures");
        failures.put("settlement", settlementFailures);
        failures.put("edges", edgeFailures);
        failures.put("total", settlementFailures + edgeFailures);
        putTagged(v.putObject("rejectsByReason"), st.totals, "rejects", "reason");
        putTagged(v.putObject("creditsByChannel"), st.totals, "credits", "channel");
        Map<String, Long> backlog = new TreeMap<>();
        st.gauges.forEach((k, n) -> {
            if (k.startsWith("backlog{")) {
                backlog.merge(channelOf(tagValue(k)), n, Long::sum);
            }
        });
        plan.channels().forEach(ch -> backlog.putIfAbsent(ch, 0L));
        ObjectNode b = v.putObject("backlog");
        backlog.forEach(b::put);
        ObjectNode lat = v.putObject("latency");
        for (String l : LATENCIES) {
            Long x = st.gauges.get(l);
            if (x != null) {
                lat.put(l, x);
            }
        }
        v.put("settlementLastSeenMs", st.lastSeenMs);
        v.put("settlementSilent", st.lastSeenMs == 0 || nowMs - st.lastSeenMs > STALE_MS);

        var edges = v.putArray("edges");
        sources.forEach((name, s) -> {
            if (name.startsWith(EDGE_PREFIX)) {
                ObjectNode e = edges.addObject();
                e.put("source", name);
                e.put("paused", s.gauges.getOrDefault("paused", 0L) == 1);
                e.put("dispenseRate", s.gauges.getOrDefault("dispense_rate", 0L));
                e.put("shiftMs", s.gauges.getOrDefault("countdown_shift_ms", 0L));
                e.put("inFlightOpens", s.gauges.getOrDefault("in_flight_opens", 0L));
                // The edge's acknowledgement of the control topic: every switch below this offset is applied there.
                e.put("controlOffset", s.gauges.getOrDefault("control_offset", 0L));
                for (String n : List.of("dispensed", "shakes", "opens_enqueued", "final_failures")) {
                    e.put(n, s.totals.getOrDefault(n, 0L));
                }
                e.put("lastSeenMs", s.lastSeenMs);
                e.put("silent", nowMs - s.lastSeenMs > STALE_MS);
            }
        });
        v.put("shiftMs", shiftMs);
        progress(v, st, nowMs);
        return v;
    }

    private ObjectNode point(long sec, Second s) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("t", sec);
        s.rates.forEach((k, r) -> p.put(k, Math.round(r)));
        for (String l : LATENCIES) {
            Long x = s.gauges.get(l);
            if (x != null) {
                p.put(l, x);
            }
        }
        Map<String, Long> backlog = new TreeMap<>();
        s.gauges.forEach((k, n) -> {
            if (k.startsWith("backlog{")) {
                backlog.merge(channelOf(tagValue(k)), n, Long::sum);
            }
        });
        if (!backlog.isEmpty()) {
            ObjectNode b = p.putObject("backlog");
            backlog.forEach(b::put);
        }
        return p;
    }

    private void progress(ObjectNode v, Source st, long nowMs) {
        var sponsors = v.putArray("sponsors");
        for (String id : plan.sponsors()) {
            ObjectNode s = sponsors.addObject();
            s.put("id", id);
            s.put("name", plan.sponsorNames().getOrDefault(id, id));
            s.put("budgetFen", plan.budgetFen(id));
            s.put("scriptedFen", plan.scriptedToDateFen(id, nowMs, shiftMs));
            s.put("creditedFen", st.totals.getOrDefault("credited_fen{sponsor=" + id + "}", 0L));
        }
        var slots = v.putArray("slots");
        for (int i = 0; i < plan.slots().size(); i++) {
            ScriptPlan.SlotBudget sb = plan.slots().get(i);
            ObjectNode s = slots.addObject();
            long start = sb.startMs() + shiftMs;
            long end = sb.endMs() + shiftMs;
            s.put("id", sb.slotId());
            s.put("startMs", start);
            s.put("endMs", end);
            s.put("state", nowMs >= end ? "done" : nowMs >= start ? "running" : "upcoming");
            s.put("budgetFen", sb.totalFen());
            s.put("envelopes", sb.envelopes());
            Map<String, Long> credited = creditedBySlot.getOrDefault(i, Map.of());
            s.put(
                    "creditedFen",
                    credited.values().stream().mapToLong(Long::longValue).sum());
            ObjectNode by = s.putObject("bySponsor");
            sb.fenBySponsor().forEach((sponsor, fen) -> {
                ObjectNode x = by.putObject(sponsor);
                x.put("budgetFen", fen);
                x.put("creditedFen", credited.getOrDefault(sponsor, 0L));
            });
        }
        Map<String, Long> before = creditedBySlot.getOrDefault(-1, Map.of());
        v.put(
                "creditedBeforeFirstSlotFen",
                before.values().stream().mapToLong(Long::longValue).sum());
    }

    private long edgeSum(String name) {
        long sum = 0;
        for (Map.Entry<String, Source> e : sources.entrySet()) {
            if (e.getKey().startsWith(EDGE_PREFIX)) {
                sum += e.getValue().totals.getOrDefault(name, 0L);
            }
        }
        return sum;
    }

    private static void putTagged(ObjectNode out, Map<String, Long> totals, String name, String tagName) {
        String prefix = name + "{" + tagName + "=";
        totals.forEach((k, n) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length(), k.length() - 1), n);
            }
        });
    }

    private static String tagValue(String key) {
        int eq = key.indexOf('=');
        return key.substring(eq + 1, key.length() - 1);
    }
}
