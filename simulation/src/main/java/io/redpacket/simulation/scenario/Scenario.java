package io.redpacket.simulation.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.redpacket.cli.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A crowd scenario: the populations the crowd is made of, each honest or fraud, with a template (what kind of group
 * and behaviour), a share of the crowd or a count of accounts, and the template's parameters. Read from JSON (see
 * dispatch-edge/README.md, "Scenario files"); {@link #read} names the file and the field of every problem.
 *
 * @param source      where it was read from (a path, or {@code classpath:scenarios/NAME.json} for a shipped one)
 * @param text        the file as read (the crowd keeps a copy next to its ground truth)
 * @param description free text
 */
public record Scenario(String source, String text, String description, List<Population> populations) {
    /** Scenarios shipped in the jar, by name: {@code --scenario default} or {@code --scenario heldout}. */
    public static final List<String> SHIPPED = List.of("default", "heldout");

    public static final String DEFAULT = "default";

    /**
     * One population of the crowd.
     *
     * @param share share of the crowd's accounts (a weight: shares are scaled to what counts leave); or
     * @param count a fixed number of accounts
     */
    public record Population(
            String name,
            Boolean fraud,
            Template template,
            Double share,
            Integer count,
            Range groupSize,
            Range ipsPerGroup,
            Range ipsPerAccount,
            Range devicesPerAccount,
            Range accountsPerIp,
            Range poolSize,
            Range handOverGapMs,
            Pacing pacing) {

        /** The parameter's value, or the template's default when the file leaves it out. */
        public Range param(Template.Param p) {
            Range given = given(p);
            return given != null ? given : template.defaultOf(p);
        }

        Range given(Template.Param p) {
            return switch (p) {
                case GROUP_SIZE -> groupSize;
                case IPS_PER_GROUP -> ipsPerGroup;
                case IPS_PER_ACCOUNT -> ipsPerAccount;
                case DEVICES_PER_ACCOUNT -> devicesPerAccount;
                case ACCOUNTS_PER_IP -> accountsPerIp;
                case POOL_SIZE -> poolSize;
                case HAND_OVER_GAP_MS -> handOverGapMs;
            };
        }

        /** Scripts for mules, people for everyone else, unless the file says otherwise. */
        public Pacing pacingOrDefault() {
            return pacing != null ? pacing : template == Template.MULE ? Pacing.SCRIPT : Pacing.HUMAN;
        }

        /** The same population with its group size fixed (the crowd's --farm-size for device farms). */
        public Population withGroupSize(Range size) {
            return new Population(
                    name,
                    fraud,
                    template,
                    share,
                    count,
                    size,
                    ipsPerGroup,
                    ipsPerAccount,
                    devicesPerAccount,
                    accountsPerIp,
                    poolSize,
                    handOverGapMs,
                    pacing);
        }
    }

    /** The JSON shape; {@link Scenario} adds where it came from. */
    private record File(String description, List<Population> populations) {}

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,47}");

    /**
     * A scenario file, or the name of a shipped scenario ({@link #SHIPPED}) when no such file exists. Every problem is
     * reported at once, as {@code file[:line]: field: message}.
     */
    public static Scenario read(String fileOrName) throws BadInputException {
        Path file = Path.of(fileOrName);
        if (!Files.isRegularFile(file) && SHIPPED.contains(fileOrName)) {
            return shipped(fileOrName);
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("--scenario: " + fileOrName + ": no such file (or a shipped scenario: "
                    + String.join(", ", SHIPPED) + ")");
        }
        try {
            return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** A scenario shipped in the jar ({@code scenarios/NAME.json}). */
    public static Scenario shipped(String name) throws BadInputException {
        String resource = "scenarios/" + name + ".json";
        try (InputStream in = Scenario.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new BadInputException(
                        "--scenario: no shipped scenario " + name + " (" + String.join(", ", SHIPPED) + ")");
            }
            return parse("classpath:" + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BadInputException("classpath:" + resource + ": cannot read: " + e.getMessage());
        }
    }

    /** The scenario in {@code text}; {@code source} names it in errors. */
    public static Scenario parse(String source, String text) throws BadInputException {
        File f;
        try {
            f = JSON.readValue(text, File.class);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof JsonProcessingException syntax && !(syntax instanceof JsonMappingException)) {
                throw notJson(source, syntax);
            }
            String field = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining())
                    .replaceFirst("^\\.", "");
            String line = e.getLocation() != null ? ":" + e.getLocation().getLineNr() : "";
            String why = e.getCause() instanceof IllegalArgumentException iae
                    ? iae.getMessage()
                    : e.getOriginalMessage().split("\n")[0];
            if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
                why = "unknown field (known: "
                        + u.getKnownPropertyIds().stream()
                                .map(Object::toString)
                                .sorted()
                                .collect(Collectors.joining(", "))
                        + ")";
            } else if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException i
                    && i.getTargetType().isEnum()) {
                why = "'" + i.getValue() + "' is not one of "
                        + java.util.Arrays.toString(i.getTargetType().getEnumConstants());
            }
            throw new BadInputException(source + line + ": " + (field.isEmpty() ? "" : field + ": ") + why);
        } catch (JsonProcessingException e) {
            throw notJson(source, e);
        }
        if (f == null) {
            throw new BadInputException(source + ": empty file");
        }
        Scenario s = new Scenario(
                source,
                text,
                f.description() == null ? "" : f.description(),
                f.populations() == null ? List.of() : List.copyOf(f.populations()));
        List<String> problems = s.problems();
        if (!problems.isEmpty()) {
            throw new BadInputException(problems);
        }
        return s;
    }

    private static BadInputException notJson(String source, JsonProcessingException e) {
        String line = e.getLocation() != null ? ":" + e.getLocation().getLineNr() : "";
        return new BadInputException(
                source + line + ": not valid JSON: " + e.getOriginalMessage().split(" \\(for ")[0]);
    }

    private List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (populations.isEmpty()) {
            problems.add(source + ": populations: at least one population is needed");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < populations.size(); i++) {
            Population p = populations.get(i);
            String at = source + ": populations[" + i + "]" + (p.name() != null ? " (" + p.name() + ")" : "");
            if (p.name() == null || !NAME.matcher(p.name()).matches()) {
                problems.add(at + ".name: " + (p.name() == null ? "missing" : "'" + p.name() + "'")
                        + " (lower-case letters, digits and -, up to 48)");
            } else if (!names.add(p.name())) {
                problems.add(at + ".name: used twice");
            }
            if (p.template() == null) {
                problems.add(at + ".template: missing (one of " + java.util.Arrays.toString(Template.values()) + ")");
                continue;
            }
            if (p.fraud() == null) {
                problems.add(at + ".fraud: missing (true or false)");
            } else if (p.fraud() != p.template().fraud()) {
                problems.add(at + ".fraud: " + p.fraud() + ", but template " + p.template() + " is "
                        + (p.template().fraud() ? "fraud" : "honest"));
            }
            if ((p.share() == null) == (p.count() == null)) {
                problems.add(at + ": give exactly one of share and count");
            } else if (p.share() != null && !(p.share() > 0 && p.share() <= 1)) {
                problems.add(at + ".share: " + p.share() + " (allowed: above 0, at most 1)");
            } else if (p.count() != null && p.count() < 1) {
                problems.add(at + ".count: " + p.count() + " (at least 1)");
            }
            for (Template.Param param : Template.Param.values()) {
                Range r = p.given(param);
                if (r == null) {
                    continue;
                }
                if (!p.template().accepts(param)) {
                    problems.add(at + "." + param.field + ": not a parameter of " + p.template());
                } else if (r.min() < 1 || r.max() < r.min()) {
                    problems.add(at + "." + param.field + ": " + r + " (need 1 <= min <= max)");
                }
            }
            if (p.template() == Template.PROXY_ROTATION
                    && p.param(Template.Param.POOL_SIZE).min()
                            < p.param(Template.Param.IPS_PER_ACCOUNT).max()) {
                problems.add(at + ".poolSize: " + p.param(Template.Param.POOL_SIZE) + " is smaller than ipsPerAccount "
                        + p.param(Template.Param.IPS_PER_ACCOUNT));
            }
            if (p.template() == Template.TWO_PHONES
                    && p.param(Template.Param.DEVICES_PER_ACCOUNT).max() > 8) {
                problems.add(at + ".devicesPerAccount: at most 8");
            }
        }
        return problems;
    }
}
