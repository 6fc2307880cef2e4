package io.redpacket.simulation.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.cli.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {

    @Test
    void shippedScenariosParseAndHoldEveryTemplate() throws Exception {
        for (String name : Scenario.SHIPPED) {
            Scenario s = Scenario.shipped(name);
            assertThat(s.populations())
                    .extracting(Scenario.Population::template)
                    .as(name)
                    .containsAll(Arrays.asList(Template.values()));
            assertThat(s.populations()).allMatch(p -> p.fraud() == p.template().fraud());
        }
        Scenario.Population campus = Scenario.shipped("default").populations().stream()
                .filter(p -> p.name().equals("campus-nat"))
                .findFirst()
                .orElseThrow();
        assertThat(campus.param(Template.Param.GROUP_SIZE)).isEqualTo(new Range(100, 200));
        assertThat(campus.param(Template.Param.IPS_PER_GROUP)).isEqualTo(new Range(1, 1));
    }

    @Test
    void heldOutDiffersFromDefaultInItsParameters() throws Exception {
        Scenario d = Scenario.shipped("default");
        Scenario h = Scenario.shipped("heldout");
        for (Template t : new Template[] {
            Template.HOUSEHOLD,
            Template.DEVICE_RELAY,
            Template.REGISTRATION_BURST,
            Template.PROXY_ROTATION,
            Template.MULE
        }) {
            assertThat(param(h, t, Template.Param.GROUP_SIZE))
                    .as(t.toString())
                    .isNotEqualTo(param(d, t, Template.Param.GROUP_SIZE));
        }
    }

    private static Range param(Scenario s, Template t, Template.Param p) {
        return s.populations().stream()
                .filter(x -> x.template() == t)
                .findFirst()
                .orElseThrow()
                .param(p);
    }

    @Test
    void aFileOnDiskIsReadAndAShippedNameToo(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.json");
        Files.writeString(
                f, "{\"populations\": [{\"name\": \"solo\", \"fraud\": false, \"template\": \"SOLO\", \"count\": 3}]}");
        Scenario s = Scenario.read(f.toString());
        assertThat(s.source()).isEqualTo(f.toString());
        assertThat(s.populations())
                .singleElement()
                .extracting(Scenario.Population::count)
                .isEqualTo(3);
        assertThat(Scenario.read("heldout").source()).isEqualTo("classpath:scenarios/heldout.json");
        assertThatThrownBy(() -> Scenario.read(dir.resolve("none.json").toString()))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("none.json: no such file");
    }

    @Test
    void anUnknownFieldIsNamedWithItsFileAndLine() {
        String text =
                "{\n  \"populations\": [\n    {\"name\": \"fam\", \"fraud\": false, \"template\": \"HOUSEHOLD\", \"share\": 1,\n"
                        + "     \"grupSize\": [3, 7]}\n  ]\n}\n";
        assertThatThrownBy(() -> Scenario.parse("s.json", text))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("s.json:4: populations[0].grupSize: unknown field")
                .hasMessageContaining("groupSize");
    }

    @Test
    void anUnknownTemplateAndABadRangeAreNamed() {
        assertThatThrownBy(
                        () -> Scenario.parse(
                                "s.json",
                                "{\"populations\": [{\"name\": \"x\", \"fraud\": true, \"template\": \"BOTNET\", \"share\": 1}]}"))
                .hasMessageStartingWith("s.json:1: populations[0].template: 'BOTNET' is not one of");
        assertThatThrownBy(
                        () -> Scenario.parse(
                                "s.json",
                                "{\"populations\": [{\"name\": \"x\", \"fraud\": false, \"template\": \"NAT\", \"share\": 1, \"groupSize\": [1, 2, 3]}]}"))
                .hasMessageStartingWith("s.json:1: populations[0].groupSize: expected a whole number or [min, max]");
        assertThatThrownBy(() -> Scenario.parse("s.json", "{\"populations\": [}"))
                .hasMessageStartingWith("s.json:1: not valid JSON");
    }

    @Test
    void everyRuleBrokenIsReportedAtOnceWithItsPopulationAndField() {
        String text = """
                {"populations": [
                  {"name": "Solo People", "fraud": false, "template": "SOLO", "share": 0.5},
                  {"name": "fam", "fraud": true, "template": "HOUSEHOLD", "share": 0.2, "groupSize": [7, 3]},
                  {"name": "fam", "fraud": false, "template": "HOUSEHOLD", "share": 0.2, "count": 4},
                  {"name": "solo2", "fraud": false, "template": "SOLO", "share": 1.5, "ipsPerAccount": 2},
                  {"name": "pool", "fraud": true, "template": "PROXY_ROTATION", "count": 10, "poolSize": 4, "ipsPerAccount": [5, 6]},
                  {"name": "nothing", "fraud": false, "template": "SOLO"}
                ]}""";
        assertThatThrownBy(() -> Scenario.parse("s.json", text))
                .isInstanceOfSatisfying(
                        BadInputException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "s.json: populations[0] (Solo People).name: 'Solo People' (lower-case letters, digits and -, up to 48)",
                                        "s.json: populations[1] (fam).fraud: true, but template HOUSEHOLD is honest",
                                        "s.json: populations[1] (fam).groupSize: [7, 3] (need 1 <= min <= max)",
                                        "s.json: populations[2] (fam).name: used twice",
                                        "s.json: populations[2] (fam): give exactly one of share and count",
                                        "s.json: populations[3] (solo2).share: 1.5 (allowed: above 0, at most 1)",
                                        "s.json: populations[3] (solo2).ipsPerAccount: not a parameter of SOLO",
                                        "s.json: populations[4] (pool).poolSize: 4 is smaller than ipsPerAccount [5, 6]",
                                        "s.json: populations[5] (nothing): give exactly one of share and count"));
        assertThatThrownBy(() -> Scenario.parse("s.json", "{\"populations\": []}"))
                .hasMessage("s.json: populations: at least one population is needed");
    }
}
