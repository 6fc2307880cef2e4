package io.redpacket.edge.metrics;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Prometheus text exposition (format 0.0.4) back, strictly: every line is a HELP, a TYPE or a sample of a
 * family typed before it, label values unescaped; anything else fails. Tests read the edge's /metrics through it.
 */
public final class PrometheusText {
    private static final Pattern META = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"(,|$)");

    /** Family name to type. */
    public final Map<String, String> types = new HashMap<>();
    /** Family name to help. */
    public final Map<String, String> help = new HashMap<>();
    /** Sample key ({@code name{l1="v1",...}} with labels sorted by name) to value. */
    public final Map<String, Double> samples = new HashMap<>();

    public static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = META.matcher(line);
            if (m.matches()) {
                (m.group(1).equals("TYPE") ? p.types : p.help).put(m.group(2), m.group(3));
                continue;
            }
            m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("line " + n + ": not a sample: " + line);
            }
            String name = m.group(1);
            if (p.family(name) == null) {
                throw new IllegalArgumentException("line " + n + ": sample of no typed family: " + line);
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(2) != null && !m.group(2).isEmpty()) {
                Matcher l = LABEL.matcher(m.group(2));
                int at = 0;
                while (at < m.group(2).length()) {
                    if (!l.find(at) || l.start() != at) {
                        throw new IllegalArgumentException("line " + n + ": bad labels: " + line);
                    }
                    labels.put(
                            l.group(1),
                            l.group(2)
                                    .replace("\\n", "\n")
                                    .replace("\\\"", "\"")
                                    .replace("\\\\", "\\"));
                    at = l.end();
                }
            }
            String v = m.group(3);
            double value = v.equals("+Inf")
                    ? Double.POSITIVE_INFINITY
                    : v.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(v);
            if (p.samples.put(key(name, labels), value) != null) {
                throw new IllegalArgumentException("line " + n + ": sample twice: " + line);
            }
        }
        return p;
    }

    /** The family a sample name belongs to: itself, or a histogram's with its _bucket, _count or _sum suffix. */
    public String family(String sampleName) {
        if (types.containsKey(sampleName)) {
            return sampleName;
        }
        for (String suffix : new String[] {"_bucket", "_count", "_sum"}) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                if ("histogram".equals(types.get(base))) {
                    return base;
                }
            }
        }
        return null;
    }

    /** The value of sample {@code name} with exactly these labels (name, value, name, value...); null if absent. */
    public Double value(String name, String... labelPairs) {
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        return samples.get(key(name, labels));
    }

    /** {@link #value} as a whole number; fails if absent or fractional. */
    public long count(String name, String... labelPairs) {
        Double v = value(name, labelPairs);
        if (v == null || v != Math.rint(v)) {
            throw new AssertionError(
                    "no whole sample " + name + " " + String.join(",", labelPairs) + " in " + samples.keySet());
        }
        return v.longValue();
    }

    private static String key(String name, Map<String, String> labels) {
        StringBuilder sb = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> sb.append(k).append("=\"").append(v).append("\","));
        return sb.append('}').toString();
    }
}
