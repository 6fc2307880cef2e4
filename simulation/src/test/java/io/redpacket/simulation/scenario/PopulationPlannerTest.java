package io.redpacket.simulation.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.session.SessionLayout;
import io.redpacket.simulation.crowd.Crowd.Behaviour;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PopulationPlannerTest {
    static final long SHOW_MS = 180_000;
    static final long ARRIVAL_MS = 108_000;
    static final long PLAY_MS = 25_000;

    private static List<PlannedUser> plan(String populations, int users, long seed) throws Exception {
        return PopulationPlanner.plan(
                Scenario.parse("t.json", "{\"populations\": [" + populations + "]}"),
                new PopulationPlanner.Settings(users, seed, SHOW_MS, ARRIVAL_MS, PLAY_MS, null, null, false));
    }

    private static Map<String, List<PlannedUser>> groups(List<PlannedUser> users) {
        return users.stream().collect(Collectors.groupingBy(PlannedUser::groupId));
    }

    private static Set<String> ips(PlannedUser u) {
        return u.stints().stream().flatMap(s -> s.ips().stream()).collect(Collectors.toSet());
    }

    private static Set<String> devices(PlannedUser u) {
        return u.stints().stream().map(s -> s.device().id()).collect(Collectors.toSet());
    }

    @Test
    void aFamilySharesOneAddressAndEachHasItsOwnPhone() throws Exception {
        List<PlannedUser> users = plan(
                "{\"name\": \"families\", \"fraud\": false, \"template\": \"HOUSEHOLD\", \"count\": 200, \"groupSize\": [3, 7]}",
                200,
                1);
        assertThat(users)
                .hasSize(200)
                .allMatch(u -> u.behaviour() == Behaviour.HONEST
                        && !u.fraud()
                        && u.population().equals("families"));
        Map<String, List<PlannedUser>> families = groups(users);
        assertThat(families.keySet()).allMatch(g -> g.startsWith("families-"));
        Set<String> homes = new HashSet<>();
        families.forEach((g, members) -> {
            assertThat(members.size()).as(g).isBetween(3, 7);
            assertThat(members.stream().flatMap(u -> ips(u).stream()).distinct())
                    .as(g)
                    .hasSize(1);
            assertThat(members.stream().flatMap(u -> devices(u).stream()).distinct())
                    .as(g)
                    .hasSize(members.size());
            assertThat(homes.add(ips(members.get(0)).iterator().next()))
                    .as("home address of %s used by another family", g)
                    .isTrue();
        });
    }

    @Test
    void aCampusNatPutsItsStudentsBehindOneAddressAndACarrierNatBehindAFew() throws Exception {
        List<PlannedUser> users = plan("""
                {"name": "campus", "fraud": false, "template": "NAT", "count": 150, "groupSize": [100, 200], "ipsPerGroup": 1},
                {"name": "carrier", "fraud": false, "template": "NAT", "count": 250, "groupSize": [200, 300], "ipsPerGroup": 3}""", 400, 2);
        Map<String, List<PlannedUser>> nats = groups(users);
        assertThat(nats.get("campus-1")).hasSize(150);
        assertThat(nats.get("campus-1").stream().flatMap(u -> ips(u).stream()).distinct())
                .hasSize(1);
        assertThat(nats.get("campus-1").stream()
                        .flatMap(u -> devices(u).stream())
                        .distinct())
                .hasSize(150);
        assertThat(nats.get("carrier-1")).hasSize(250);
        assertThat(nats.get("carrier-1").stream().flatMap(u -> ips(u).stream()).distinct())
                .hasSize(3);
    }

    @Test
    void relativesShareATabletAndAFarmShareAPhone() throws Exception {
        List<PlannedUser> users = plan("""
                {"name": "tablets", "fraud": false, "template": "SHARED_TABLET", "count": 30, "groupSize": [2, 3]},
                {"name": "farms", "fraud": true, "template": "DEVICE_FARM", "count": 40, "groupSize": 20}""", 70, 3);
        groups(users).forEach((g, members) -> {
            assertThat(members.stream().flatMap(u -> devices(u).stream()).distinct())
                    .as(g)
                    .hasSize(1);
            assertThat(members.stream().flatMap(u -> ips(u).stream()).distinct())
                    .as(g)
                    .hasSize(1);
            assertThat(members)
                    .allMatch(u -> u.stints().size() == 1 && u.first().toMs() == SHOW_MS);
        });
        assertThat(users.stream()
                        .filter(u -> u.population().equals("tablets"))
                        .map(u -> u.first().device().userAgent()))
                .allMatch(ua -> ua.contains("iPad;")
                        || ua.contains("SM-X")
                        || ua.contains("M2105")
                        || ua.contains("BAH3")
                        || ua.contains("HEY2"));
        assertThat(groups(users).get("farms-1"))
                .hasSize(20)
                .allMatch(u -> u.behaviour() == Behaviour.SHARED_DEVICE
                        && u.registrationUnit().equals("farms-1"));
    }

    @Test
    void onePersonWithTwoPhonesUsesBothFromOneAccount() throws Exception {
        List<PlannedUser> users =
                plan("{\"name\": \"two\", \"fraud\": false, \"template\": \"TWO_PHONES\", \"count\": 50}", 50, 4);
        assertThat(users).hasSize(50).allSatisfy(u -> {
            assertThat(devices(u)).hasSize(2);
            assertThat(ips(u)).hasSize(1);
            assertThat(u.groupId()).isEmpty();
            assertNoOverlapAndInOrder(u.stints());
            assertThat(u.stints().get(u.stints().size() - 1).fromMs()).isLessThan(u.arrivalMs() + PLAY_MS);
            assertThat(u.stints().get(u.stints().size() - 1).toMs()).isEqualTo(SHOW_MS);
        });
    }

    @Test
    void aTravellerChangesAddressThreeToFiveTimesOnOnePhone() throws Exception {
        List<PlannedUser> users = plan(
                "{\"name\": \"trav\", \"fraud\": false, \"template\": \"TRAVELLER\", \"count\": 50, \"ipsPerAccount\": [3, 5]}",
                50,
                5);
        assertThat(users).allSatisfy(u -> {
            assertThat(ips(u).size()).isBetween(3, 5);
            assertThat(devices(u)).hasSize(1);
            assertNoOverlapAndInOrder(u.stints());
            // Every address shows up while a person plays; the last one holds to the end of the show.
            assertThat(u.stints().get(u.stints().size() - 1).fromMs()).isLessThan(u.arrivalMs() + PLAY_MS);
            assertThat(u.stints().get(u.stints().size() - 1).toMs()).isEqualTo(SHOW_MS);
        });
        assertThat(users.stream().map(u -> ips(u).size()).distinct()).contains(3, 5);
    }

    @Test
    void aRelayChainsAccountsShareOnePhoneAndNeverPlayAtTheSameTime() throws Exception {
        List<PlannedUser> users = plan(
                "{\"name\": \"relay\", \"fraud\": true, \"template\": \"DEVICE_RELAY\", \"count\": 100, \"groupSize\": [2, 5], "
                        + "\"handOverGapMs\": 5000}",
                100,
                6);
        Map<String, List<PlannedUser>> chains = groups(users);
        assertThat(chains.values().stream().map(List::size).distinct()).contains(2, 5);
        chains.forEach((g, chain) -> {
            assertThat(chain.size()).as(g).isBetween(2, 5);
            assertThat(chain.stream().flatMap(u -> devices(u).stream()).distinct())
                    .as(g)
                    .hasSize(1);
            assertThat(chain)
                    .allMatch(u -> u.behaviour() == Behaviour.DEVICE_RELAY
                            && u.stints().size() == 1
                            && u.registrationUnit().equals(g));
            List<Stint> windows = chain.stream()
                    .map(PlannedUser::first)
                    .sorted(Comparator.comparingLong(Stint::fromMs))
                    .toList();
            for (int i = 1; i < windows.size(); i++) {
                assertThat(windows.get(i).fromMs())
                        .as("%s: account %d takes the phone 5 s after the one before hands it over", g, i)
                        .isGreaterThanOrEqualTo(windows.get(i - 1).toMs() + 5_000);
            }
            assertThat(windows.get(windows.size() - 1).toMs()).isLessThanOrEqualTo(SHOW_MS);
        });
    }

    @Test
    void aRegistrationBurstIsNumberedInSequenceWithFourAccountsPerProxy() throws Exception {
        List<PlannedUser> users = plan(
                "{\"name\": \"burst\", \"fraud\": true, \"template\": \"REGISTRATION_BURST\", \"count\": 16, \"groupSize\": 16, "
                        + "\"accountsPerIp\": 4}",
                16,
                7);
        assertThat(users)
                .hasSize(16)
                .allMatch(u -> u.registrationUnit().equals("burst-1") && u.pacing() == Pacing.HUMAN);
        List<String> ids = users.stream().map(PlannedUser::id).toList();
        String base = ids.get(0).replaceAll("[0-9]+$", "");
        int first = Integer.parseInt(ids.get(0).substring(base.length()));
        for (int i = 0; i < ids.size(); i++) {
            assertThat(ids.get(i)).isEqualTo(base + (first + i));
        }
        Map<String, Long> perIp =
                users.stream().collect(Collectors.groupingBy(u -> u.first().ip(), Collectors.counting()));
        assertThat(perIp).hasSize(4).allSatisfy((ip, n) -> assertThat(n).isEqualTo(4));
        assertThat(users.stream().map(u -> u.first().device().id()).distinct()).hasSize(16);
    }

    @Test
    void aProxyRotationAccountCyclesThroughFiveOrSixAddressesOfItsPool() throws Exception {
        List<PlannedUser> users = plan(
                "{\"name\": \"proxy\", \"fraud\": true, \"template\": \"PROXY_ROTATION\", \"count\": 60, \"groupSize\": 20, "
                        + "\"poolSize\": 10, \"ipsPerAccount\": [5, 6]}",
                60,
                8);
        groups(users).forEach((g, pool) -> {
            assertThat(pool).hasSize(20);
            assertThat(pool.stream().flatMap(u -> ips(u).stream()).distinct().count())
                    .as(g)
                    .isLessThanOrEqualTo(10);
            assertThat(pool).allSatisfy(u -> {
                assertThat(ips(u).size()).isBetween(5, 6);
                assertThat(devices(u)).hasSize(1);
                assertThat(u.stints())
                        .singleElement()
                        .satisfies(s -> assertThat(s.toMs()).isEqualTo(SHOW_MS));
            });
        });
    }

    @Test
    void mulesOfOneOperatorArriveTogetherOnTheScriptsClockWithOneUserAgent() throws Exception {
        List<PlannedUser> users = plan(
                "{\"name\": \"mules\", \"fraud\": true, \"template\": \"MULE\", \"count\": 30, \"groupSize\": 30, \"ipsPerGroup\": 2}",
                30,
                9);
        assertThat(users).allMatch(u -> u.pacing() == Pacing.SCRIPT && u.behaviour() == Behaviour.MULE);
        assertThat(users.stream().map(PlannedUser::arrivalMs).distinct()).hasSize(1);
        assertThat(users.stream().map(u -> u.first().device().userAgent()).distinct())
                .hasSize(1);
        assertThat(users.stream().map(u -> u.first().device().id()).distinct()).hasSize(30);
        assertThat(users.stream().map(u -> u.first().ip()).distinct()).hasSize(2);
    }

    @Test
    void aReplayerHasAnAccompliceOnItsPhoneAndSoloUsersHaveNoGroup() throws Exception {
        List<PlannedUser> users = plan("""
                {"name": "solo", "fraud": false, "template": "SOLO", "share": 0.9},
                {"name": "replay", "fraud": true, "template": "REPLAY", "share": 0.1}""", 100, 10);
        assertThat(users.stream().filter(u -> u.population().equals("solo")))
                .hasSize(90)
                .allMatch(u -> u.groupId().isEmpty()
                        && u.accomplice() == null
                        && u.first().fromMs() < ARRIVAL_MS
                        && u.first().toMs() == SHOW_MS);
        assertThat(users.stream().filter(u -> u.population().equals("replay")))
                .hasSize(10)
                .allMatch(u -> u.accomplice() != null
                        && !u.groupId().isEmpty()
                        && !u.accomplice().id().equals(u.id()));
    }

    @Test
    void idsDevicesAndAgentsLookRealAndNeverRepeat() throws Exception {
        List<PlannedUser> users = PopulationPlanner.plan(
                Scenario.shipped("default"),
                new PopulationPlanner.Settings(8_000, 2027, SHOW_MS, ARRIVAL_MS, PLAY_MS, null, null, true));
        assertThat(users).hasSize(8_000);
        Set<String> ids = new HashSet<>();
        for (PlannedUser u : users) {
            assertThat(ids.add(u.id())).as(u.id()).isTrue();
            if (u.accomplice() != null) {
                assertThat(ids.add(u.accomplice().id())).isTrue();
            }
            for (Stint s : u.stints()) {
                assertThat(SessionLayout.validId(s.device().id())).isTrue();
                assertThat((s.device().id() + " " + s.device().userAgent() + " " + u.id()).toLowerCase())
                        .doesNotContain("farm", "fraud", "mule", "relay", "proxy", "accomplice", ",");
                assertThat(s.ip()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+").doesNotStartWith("10.");
            }
            assertThat(SessionLayout.validId(u.id())).isTrue();
        }
        assertThat(users.stream()
                        .map(u -> u.first().device().userAgent())
                        .distinct()
                        .count())
                .isGreaterThan(200);
    }

    @Test
    void theSameSeedGivesTheSameCrowdAndAnotherSeedAnother() throws Exception {
        Scenario s = Scenario.shipped("heldout");
        PopulationPlanner.Settings a =
                new PopulationPlanner.Settings(2_000, 11, SHOW_MS, ARRIVAL_MS, PLAY_MS, null, null, false);
        assertThat(PopulationPlanner.plan(s, a)).isEqualTo(PopulationPlanner.plan(s, a));
        assertThat(PopulationPlanner.plan(
                        s, new PopulationPlanner.Settings(2_000, 12, SHOW_MS, ARRIVAL_MS, PLAY_MS, null, null, false)))
                .isNotEqualTo(PopulationPlanner.plan(s, a));
    }

    @Test
    void sharesAreWeightsCountsComeFirstAndFraudShareRescalesTheFraudSide() throws Exception {
        Scenario s = Scenario.parse("t.json", """
                {"populations": [
                  {"name": "solo", "fraud": false, "template": "SOLO", "share": 0.6},
                  {"name": "fam", "fraud": false, "template": "HOUSEHOLD", "share": 0.2},
                  {"name": "forge", "fraud": true, "template": "FORGE", "share": 0.1},
                  {"name": "cap", "fraud": true, "template": "CAP_BYPASS", "share": 0.1},
                  {"name": "stolen", "fraud": true, "template": "STOLEN_SESSION", "share": 0.1},
                  {"name": "campus", "fraud": false, "template": "NAT", "count": 100}
                ]}""");
        Map<String, Long> plain = count(PopulationPlanner.plan(
                s, new PopulationPlanner.Settings(1_100, 1, SHOW_MS, ARRIVAL_MS, PLAY_MS, null, null, false)));
        assertThat(plain)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("solo", 600L, "fam", 200L, "forge", 100L, "cap", 100L, "campus", 100L));
        Map<String, Long> attacks = count(PopulationPlanner.plan(
                s, new PopulationPlanner.Settings(1_200, 1, SHOW_MS, ARRIVAL_MS, PLAY_MS, null, null, true)));
        assertThat(attacks).containsEntry("stolen", 100L).containsEntry("solo", 600L);
        Map<String, Long> scaled = count(PopulationPlanner.plan(
                s, new PopulationPlanner.Settings(1_100, 1, SHOW_MS, ARRIVAL_MS, PLAY_MS, 0.5, null, false)));
        assertThat(scaled)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("solo", 375L, "fam", 125L, "forge", 250L, "cap", 250L, "campus", 100L));
        assertThatThrownBy(() -> PopulationPlanner.plan(
                        s, new PopulationPlanner.Settings(50, 1, SHOW_MS, ARRIVAL_MS, PLAY_MS, null, null, false)))
                .hasMessageContaining("t.json: populations with a count hold 100 accounts, more than the crowd's 50");
    }

    @Test
    void theFarmSizeOptionOverridesTheScenarios() throws Exception {
        List<PlannedUser> users = PopulationPlanner.plan(
                Scenario.parse(
                        "t.json",
                        "{\"populations\": [{\"name\": \"farms\", \"fraud\": true, \"template\": \"DEVICE_FARM\", \"count\": 20, \"groupSize\": 20}]}"),
                new PopulationPlanner.Settings(20, 1, SHOW_MS, ARRIVAL_MS, PLAY_MS, null, 5, false));
        assertThat(groups(users))
                .hasSize(4)
                .allSatisfy((g, farm) -> assertThat(farm).hasSize(5));
    }

    private static Map<String, Long> count(List<PlannedUser> users) {
        return users.stream().collect(Collectors.groupingBy(PlannedUser::population, Collectors.counting()));
    }

    private static void assertNoOverlapAndInOrder(List<Stint> stints) {
        for (int i = 0; i < stints.size(); i++) {
            assertThat(stints.get(i).toMs()).isGreaterThan(stints.get(i).fromMs());
            if (i > 0) {
                assertThat(stints.get(i).fromMs())
                        .isGreaterThanOrEqualTo(stints.get(i - 1).toMs());
            }
        }
    }
}
