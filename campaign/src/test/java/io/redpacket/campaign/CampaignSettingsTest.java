package io.redpacket.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CampaignSettingsTest {
    /** The checkout, as bin/redpacket passes it (redpacket.home): its demo budget and script are the defaults. */
    private static final Path HOME =
            Path.of(System.getProperty("user.dir")).getParent().toAbsolutePath().normalize();

    @Test
    void theCommandWithOnlyTheRunDirectoryParsesToTheBuildersDefaults(@TempDir Path dir) throws Exception {
        Path work = dir.resolve("run");
        CampaignCli.Campaign command = new CampaignCli.Campaign();
        new CommandLine(command).parseArgs("--work", work.toString());

        assertThat(command.settings(HOME))
                .isEqualTo(CampaignSettings.builder(HOME, work).build());
    }

    @Test
    void eachSetterChangesOnlyItsOwnComponent(@TempDir Path dir) throws Exception {
        Set<String> required = Set.of("home", "workDir");
        CampaignSettings defaults =
                CampaignSettings.builder(dir, dir.resolve("run")).build();
        for (RecordComponent component : CampaignSettings.class.getRecordComponents()) {
            if (required.contains(component.getName())) {
                continue;
            }
            CampaignSettings.Builder builder = CampaignSettings.builder(dir, dir.resolve("run"));
            CampaignSettings.Builder.class
                    .getMethod(component.getName(), component.getType())
                    .invoke(builder, another(component.getAccessor().invoke(defaults), component.getType()));

            assertThat(changedComponents(defaults, builder.build()))
                    .as("setter %s", component.getName())
                    .containsExactly(component.getName());
        }
    }

    private static Object another(Object value, Class<?> type) {
        if (type == int.class) {
            return (int) value + 1;
        } else if (type == long.class) {
            return (long) value + 1;
        } else if (type == boolean.class) {
            return !(boolean) value;
        } else if (type == Double.class) {
            return value == null ? 0.25 : null;
        } else if (type == String.class) {
            return value == null ? "heldout" : value + "-other";
        } else if (type == Path.class) {
            return ((Path) value).resolveSibling("other");
        }
        throw new AssertionError("no other value for a " + type);
    }

    private static List<String> changedComponents(CampaignSettings a, CampaignSettings b) throws Exception {
        List<String> changed = new ArrayList<>();
        for (RecordComponent component : CampaignSettings.class.getRecordComponents()) {
            if (!Objects.equals(
                    component.getAccessor().invoke(a), component.getAccessor().invoke(b))) {
                changed.add(component.getName());
            }
        }
        return changed;
    }
}
