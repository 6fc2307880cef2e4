package io.redpacket.generation.input;

import io.redpacket.avro.Allocation;
import io.redpacket.avro.EnvelopeType;
import io.redpacket.avro.Slot;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a funding script written in YAML (or JSON, which YAML reads too). Only the node tree is composed, never
 * objects, so every value keeps its line for messages and no tag can instantiate a class. Layout:
 *
 * <pre>
 * campaign: spring-2027
 * slots:                       # shared by every variant that does not list its own
 *   - {id: s2000, start: 2027-02-16T20:00:00+08:00, end: 2027-02-16T20:30:00+08:00}
 * variants:
 *   - name: main
 *     allocations:
 *       - {slot: s2000, sponsor: SP0001, type: picture, total_fen: 500000, count: 1000, min_fen: 100, max_fen: 2000}
 *       # optional: channel: cash (default) or a coupon partner
 * </pre>
 *
 * Times are ISO-8601 with an offset or epoch milliseconds. Types are picture, video, brand_logo.
 */
public final class FundingScriptReader {
    static final Set<String> TOP_KEYS = Set.of("campaign", "slots", "variants", "description");
    static final Set<String> SLOT_KEYS = Set.of("id", "start", "end");
    static final Set<String> VARIANT_KEYS = Set.of("name", "slots", "allocations", "description");
    static final Set<String> ALLOCATION_KEYS =
            Set.of("slot", "sponsor", "type", "total_fen", "count", "min_fen", "max_fen", "channel");
    public static final String DEFAULT_CHANNEL = "cash";

    private final String file;
    private final Problems problems;

    private FundingScriptReader(String file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    /** The script, or null if it is not readable YAML at all (the reason is in {@code problems}). */
    public static FundingScript read(Path path, Problems problems) throws IOException {
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return read(in, path.toString(), problems);
        }
    }

    /** Reads from any source; {@code file} is what messages call it. */
    public static FundingScript read(Reader in, String file, Problems problems) throws IOException {
        return new FundingScriptReader(file, problems).read(in);
    }

    private FundingScript read(Reader in) throws IOException {
        Node root;
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported below with both lines, not as a parser failure
        try {
            root = new Yaml(options).compose(in);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 1;
            problems.add(file, line, "syntax", e.getProblem());
            return null;
        } catch (YAMLException e) {
            problems.add(file, 1, "syntax", e.getMessage());
            return null;
        }
        if (!(root instanceof MappingNode top)) {
            problems.add(
                    file,
                    root == null ? 1 : line(root),
                    "script",
                    "expected a mapping with campaign, slots and variants");
            return null;
        }
        Map<String, NodeTuple> fields = fields(top, "", TOP_KEYS);
        String campaign = requiredText(fields, top, "", "campaign");
        List<FundingScript.SlotEntry> sharedSlots =
                fields.containsKey("slots") ? slots(fields.get("slots").getValueNode(), "slots") : null;
        List<FundingScript.Variant> variants = new ArrayList<>();
        NodeTuple vt = fields.get("variants");
        if (vt == null) {
            problems.add(file, line(top), "variants", "required, is missing");
        } else if (!(vt.getValueNode() instanceof SequenceNode seq)
                || seq.getValue().isEmpty()) {
            problems.add(file, line(vt.getValueNode()), "variants", "expected a non-empty list of variants");
        } else {
            for (int i = 0; i < seq.getValue().size(); i++) {
                FundingScript.Variant v = variant(seq.getValue().get(i), i, sharedSlots);
                if (v != null) {
                    variants.add(v);
                }
            }
        }
        return new FundingScript(file, campaign, variants);
    }

    private FundingScript.Variant variant(Node node, int index, List<FundingScript.SlotEntry> sharedSlots) {
        String at = "variants[" + index + "]";
        if (!(node instanceof MappingNode map)) {
            problems.add(file, line(node), at, "expected a mapping with name and allocations");
            return null;
        }
        Map<String, NodeTuple> f = fields(map, at + ".", VARIANT_KEYS);
        String name = requiredText(f, map, at + ".", "name");
        String field = name != null ? "variants[" + name + "]" : at;
        List<FundingScript.SlotEntry> slots =
                f.containsKey("slots") ? slots(f.get("slots").getValueNode(), field + ".slots") : sharedSlots;
        if (slots == null) {
            problems.add(file, line(map), field + ".slots", "no slots: list them at the top level or in the variant");
            slots = List.of();
        }
        List<FundingScript.AllocationEntry> allocations = new ArrayList<>();
        Set<String> unreadableSponsors = new HashSet<>();
        boolean unreadable = false;
        NodeTuple at2 = f.get("allocations");
        if (at2 == null) {
            problems.add(file, line(map), field + ".allocations", "required, is missing");
        } else if (!(at2.getValueNode() instanceof SequenceNode seq)
                || seq.getValue().isEmpty()) {
            problems.add(
                    file, line(at2.getValueNode()), field + ".allocations", "expected a non-empty list of allocations");
        } else {
            for (int i = 0; i < seq.getValue().size(); i++) {
                Node a = seq.getValue().get(i);
                String af = field + ".allocations[" + i + "]";
                AllocationRead r = allocation(a, af);
                if (r.allocation != null) {
                    allocations.add(new FundingScript.AllocationEntry(r.allocation, line(a), af));
                } else if (r.sponsor != null) {
                    unreadableSponsors.add(r.sponsor);
                } else {
                    unreadable = true;
                }
            }
        }
        return new FundingScript.Variant(name, line(map), field, slots, allocations, unreadableSponsors, unreadable);
    }

    private record AllocationRead(Allocation allocation, String sponsor) {}

    private AllocationRead allocation(Node node, String at) {
        if (!(node instanceof MappingNode map)) {
            problems.add(
                    file,
                    line(node),
                    at,
                    "expected a mapping with slot, sponsor, type, total_fen, count, min_fen, max_fen");
            return new AllocationRead(null, null);
        }
        Map<String, NodeTuple> f = fields(map, at + ".", ALLOCATION_KEYS);
        String slot = requiredText(f, map, at + ".", "slot");
        String sponsor = requiredText(f, map, at + ".", "sponsor");
        String typeText = requiredText(f, map, at + ".", "type");
        EnvelopeType type = null;
        if (typeText != null) {
            type = parseType(typeText);
            if (type == null) {
                problems.add(
                        file,
                        line(f.get("type").getValueNode()),
                        at + ".type",
                        "unknown type '" + typeText + "' (known: picture, video, brand_logo)");
            }
        }
        Long total = positive(f, map, at + ".", "total_fen");
        Long count = positive(f, map, at + ".", "count");
        Long min = positive(f, map, at + ".", "min_fen");
        Long max = positive(f, map, at + ".", "max_fen");
        String channel =
                f.containsKey("channel") ? text(f.get("channel").getValueNode(), at + ".channel") : DEFAULT_CHANNEL;
        if (slot == null
                || sponsor == null
                || type == null
                || total == null
                || count == null
                || min == null
                || max == null
                || channel == null) {
            return new AllocationRead(null, sponsor);
        }
        return new AllocationRead(new Allocation(slot, sponsor, type, total, count, min, max, channel), sponsor);
    }

    static EnvelopeType parseType(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_')) {
            case "picture" -> EnvelopeType.PICTURE;
            case "video" -> EnvelopeType.VIDEO;
            case "brand_logo", "brandlogo", "logo" -> EnvelopeType.BRAND_LOGO;
            default -> null;
        };
    }

    private List<FundingScript.SlotEntry> slots(Node node, String at) {
        List<FundingScript.SlotEntry> out = new ArrayList<>();
        if (!(node instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
            problems.add(file, line(node), at, "expected a non-empty list of slots");
            return out;
        }
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node s = seq.getValue().get(i);
            String sf = at + "[" + i + "]";
            if (!(s instanceof MappingNode map)) {
                problems.add(file, line(s), sf, "expected a mapping with id, start, end");
                continue;
            }
            Map<String, NodeTuple> f = fields(map, sf + ".", SLOT_KEYS);
            String id = requiredText(f, map, sf + ".", "id");
            Long start = time(f, map, sf + ".", "start");
            Long end = time(f, map, sf + ".", "end");
            if (id != null && start != null && end != null) {
                out.add(new FundingScript.SlotEntry(new Slot(id, start, end), line(map)));
            }
        }
        return out;
    }

    private Long time(Map<String, NodeTuple> f, MappingNode parent, String prefix, String key) {
        String t = requiredText(f, parent, prefix, key);
        if (t == null) {
            return null;
        }
        if (t.matches("\\d{1,15}")) {
            return Long.parseLong(t);
        }
        try {
            return OffsetDateTime.parse(t).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(t).toEpochMilli();
            } catch (DateTimeParseException e2) {
                problems.add(
                        file,
                        line(f.get(key).getValueNode()),
                        prefix + key,
                        "'" + t
                                + "' is not a time (ISO-8601 with offset, e.g. 2027-02-16T20:00:00+08:00, or epoch ms)");
                return null;
            }
        }
    }

    private Long positive(Map<String, NodeTuple> f, MappingNode parent, String prefix, String key) {
        String t = requiredText(f, parent, prefix, key);
        if (t == null) {
            return null;
        }
        int line = line(f.get(key).getValueNode());
        long v;
        try {
            v = Numbers.parse(t, key.endsWith("_fen") ? "integer amount in fen" : "integer");
        } catch (Numbers.NotANumber e) {
            problems.add(file, line, prefix + key, "'" + t + "' " + e.getMessage());
            return null;
        }
        if (v <= 0) {
            problems.add(file, line, prefix + key, v + " must be positive");
            return null;
        }
        return v;
    }

    private String requiredText(Map<String, NodeTuple> f, MappingNode parent, String prefix, String key) {
        NodeTuple t = f.get(key);
        if (t == null) {
            problems.add(file, line(parent), prefix + key, "required, is missing");
            return null;
        }
        String v = text(t.getValueNode(), prefix + key);
        if (v != null && v.isBlank()) {
            problems.add(file, line(t.getValueNode()), prefix + key, "required, is empty");
            return null;
        }
        return v == null ? null : v.trim();
    }

    private String text(Node node, String at) {
        if (!(node instanceof ScalarNode s)) {
            problems.add(file, line(node), at, "expected a single value");
            return null;
        }
        return s.getValue();
    }

    /** The mapping's entries by key; unknown keys (typos) and duplicate keys are problems. */
    private Map<String, NodeTuple> fields(MappingNode map, String prefix, Set<String> known) {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
            if (key == null || !known.contains(key)) {
                problems.add(
                        file,
                        line(t.getKeyNode()),
                        prefix + (key == null ? "?" : key),
                        "unknown field (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
                continue;
            }
            NodeTuple first = out.putIfAbsent(key, t);
            if (first != null) {
                problems.add(
                        file,
                        line(t.getKeyNode()),
                        prefix + key,
                        "duplicate field (first on line " + line(first.getKeyNode()) + ")");
            }
        }
        return out;
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }
}
