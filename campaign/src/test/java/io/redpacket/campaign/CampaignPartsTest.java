package io.redpacket.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.redpacket.avro.FundingPlan;
import io.redpacket.avro.Slot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CampaignPartsTest {
    @Test
    void shardPlanGivesEveryShardAPrimaryAndAnotherEdgeAsBackup() {
        assertThat(ShardPlan.table(4, 2)).isEqualTo("0:1/2,1:2/1,2:1/2,3:2/1");
        assertThat(ShardPlan.table(3, 1)).isEqualTo("0:1,1:1,2:1");
        assertThat(ShardPlan.table(5, 3)).isEqualTo("0:1/2,1:2/3,2:3/1,3:1/2,4:2/3");
    }

    @Test
    void aClusterRunDeploysToEachEdgeTheShardsItServesAsPrimaryOrBackup() {
        assertThat(ShardPlan.servedShards(5, 3))
                .isEqualTo(Map.of(1, Set.of(0, 2, 3), 2, Set.of(0, 1, 3, 4), 3, Set.of(1, 2, 4)));
        assertThat(ShardPlan.servedShards(3, 1)).isEqualTo(Map.of(1, Set.of(0, 1, 2)));
    }

    @Test
    void theFaultDrillIsRefusedOnClustersAndTheUnusedPrometheusPortIsNotChecked(@TempDir Path home) throws Exception {
        Files.writeString(home.resolve("b.csv"), "x\n");
        Files.writeString(home.resolve("s.yaml"), "x\n");
        CampaignCli.Campaign cli = new CampaignCli.Campaign();
        new picocli.CommandLine(cli)
                .parseArgs(
                        "--cluster",
                        "--fault-drill",
                        "--budget",
                        home.resolve("b.csv").toString(),
                        "--script",
                        home.resolve("s.yaml").toString(),
                        "--work",
                        home.resolve("run").toString());
        assertThatThrownBy(() -> cli.settings(home))
                .isInstanceOf(io.redpacket.cli.BadInputException.class)
                .hasMessageContaining("--fault-drill: not with --cluster");

        CampaignCli.Campaign ok = new CampaignCli.Campaign();
        new picocli.CommandLine(ok)
                .parseArgs(
                        "--cluster",
                        "--budget",
                        home.resolve("b.csv").toString(),
                        "--script",
                        home.resolve("s.yaml").toString(),
                        "--work",
                        home.resolve("run").toString());
        CampaignSettings settings = ok.settings(home);
        assertThat(settings.cluster()).isTrue();
        assertThat(settings.ports())
                .extracting(CampaignSettings.PortUse::what)
                .noneMatch(w -> w.contains("--prometheus-port"))
                .anyMatch(w -> w.startsWith("Flink session cluster"));
    }

    @Test
    @org.junit.jupiter.api.Timeout(600)
    void aBrokenScenarioFileIsRefusedBeforeAnythingStartsWithTheCrowdsLocatedProblems(@TempDir Path dir)
            throws Exception {
        Path home = Path.of(System.getProperty("user.dir")).getParent();
        Path bad = dir.resolve("bad.json");
        Files.writeString(
                bad,
                "{\"populations\": [\n  {\"name\": \"fam\", \"fraud\": false, \"template\": \"HOUSEHOLD\", \"share\": 1, \"groupSize\": [7, 3]}\n]}\n");
        CampaignCli.Campaign cli = new CampaignCli.Campaign();
        new picocli.CommandLine(cli)
                .parseArgs(
                        "--scenario",
                        bad.toString(),
                        "--work",
                        dir.resolve("run").toString());
        assertThatThrownBy(() -> cli.settings(home))
                .isInstanceOfSatisfying(
                        io.redpacket.cli.BadInputException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        bad + ": populations[0] (fam).groupSize: [7, 3] (need 1 <= min <= max)"));
        assertThat(dir.resolve("run")).doesNotExist();

        Path good = dir.resolve("good.json");
        Files.writeString(
                good,
                "{\"populations\": [{\"name\": \"solo\", \"fraud\": false, \"template\": \"SOLO\", \"share\": 1}]}");
        CampaignCli.Campaign ok = new CampaignCli.Campaign();
        new picocli.CommandLine(ok)
                .parseArgs(
                        "--scenario",
                        good.toString(),
                        "--work",
                        dir.resolve("run").toString());
        assertThat(ok.settings(home).scenario()).isEqualTo(good.toAbsolutePath().toString());
        CampaignCli.Campaign shipped = new CampaignCli.Campaign();
        new picocli.CommandLine(shipped)
                .parseArgs("--scenario", "heldout", "--work", dir.resolve("run").toString());
        assertThat(shipped.settings(home).scenario()).isEqualTo("heldout");
        CampaignCli.Campaign none = new CampaignCli.Campaign();
        new picocli.CommandLine(none)
                .parseArgs("--scenario", "nosuch", "--work", dir.resolve("run").toString());
        assertThatThrownBy(() -> none.settings(home))
                .hasMessageContaining("--scenario: nosuch: no such file (or a shipped scenario: default, heldout)");
    }

    @Test
    void compressedScriptKeepsAllocationsAndPutsSlotsBackToBack(@TempDir Path dir) throws IOException {
        Path sample = dir.resolve("s.yaml");
        Files.writeString(
                sample,
                String.join(
                        "\n",
                        "campaign: c1",
                        "slots:",
                        "  - {id: a, start: \"2027-02-05T20:00:00+08:00\", end: \"2027-02-05T20:30:00+08:00\"}",
                        "  - {id: b, start: \"2027-02-05T20:30:00+08:00\", end: \"2027-02-05T21:00:00+08:00\"}",
                        "variants:",
                        "  - name: main",
                        "    allocations:",
                        "      - {slot: a, sponsor: S1, type: picture, total_fen: 100, count: 10, min_fen: 1, max_fen: 20}",
                        ""));
        Path out = dir.resolve("out/script.yaml");
        assertThat(CampaignScript.compress(sample, out, 7)).isEqualTo(2);
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(out.toFile());
        assertThat(root.get("campaign").asText()).isEqualTo("c1-local");
        assertThat(root.get("slots").get(0).get("start").asLong()).isEqualTo(CampaignScript.PLAN_EPOCH_MS);
        assertThat(root.get("slots").get(0).get("end").asLong()).isEqualTo(CampaignScript.PLAN_EPOCH_MS + 7_000);
        assertThat(root.get("slots").get(1).get("start").asLong()).isEqualTo(CampaignScript.PLAN_EPOCH_MS + 7_000);
        assertThat(root.get("variants")
                        .get(0)
                        .get("allocations")
                        .get(0)
                        .get("total_fen")
                        .asLong())
                .isEqualTo(100);
    }

    @Test
    void clockFollowsTheShiftedTimeAxis() {
        FundingPlan plan = FundingPlan.newBuilder()
                .setCampaignId("c")
                .setVariant("v")
                .setAllocations(List.of())
                .setSlots(List.of(new Slot("a", 1_000L, 2_000L), new Slot("b", 2_000L, 3_000L)))
                .build();
        CampaignClock clock = new CampaignClock(10_000, 12_000, plan);
        assertThat(clock.slotAt(9_999)).isEqualTo("-");
        assertThat(clock.slotAt(10_000)).isEqualTo("a");
        assertThat(clock.slotAt(11_500)).isEqualTo("b");
        assertThat(clock.nextSlot(10_500)).isEqualTo("b");
        assertThat(clock.nextSlot(11_500)).isNull();
        assertThat(clock.fraction(11_000)).isEqualTo(0.5);
    }

    @Test
    void takenAndRepeatedPortsAreNamedWithTheirOption() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> problems = Ports.problems(List.of(
                    new CampaignSettings.PortUse(taken.getLocalPort(), "Kafka broker (--kafka-port)"),
                    new CampaignSettings.PortUse(40_001, "edge 1 (--edge-port + 0)"),
                    new CampaignSettings.PortUse(40_001, "edge 1 admin (--admin-port + 0)"),
                    new CampaignSettings.PortUse(80, "x (--x)")));
            assertThat(problems).hasSize(3);
            assertThat(problems.get(0))
                    .contains(String.valueOf(taken.getLocalPort()))
                    .contains("--kafka-port")
                    .contains("already in use");
            assertThat(problems.get(1)).contains("used twice");
            assertThat(problems.get(2)).contains("1024..65535");
        }
    }

    @Test
    void yuanIsFormattedFromIntegerFen() {
        assertThat(Progress.yuan(197_000_000)).isEqualTo("1,970,000.00 yuan");
        assertThat(Progress.yuan(5)).isEqualTo("0.05 yuan");
        assertThat(Progress.yuan(-1_205)).isEqualTo("-12.05 yuan");
    }
}
