package io.redpacket.settlement.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceSharingTest {
    private static final long MIN = 60_000;
    private final DeviceSharing rule = new DeviceSharing(4, 10 * MIN);

    @Test
    void aTabletSharedByThreeRelativesIsNotFlagged() {
        DeviceSharing.Sightings s = new DeviceSharing.Sightings();
        for (int round = 0; round < 5; round++) {
            for (String who : new String[] {"grandma", "aunt", "cousin"}) {
                assertThat(rule.observe(s, who, round * MIN, 100)).isNull();
            }
        }
        assertThat(s.size()).isEqualTo(3);
    }

    @Test
    void theFourthAccountWithinTheWindowRaisesOneFlagNamingAllAndLaterOnesNameOnlyTheNewcomer() {
        DeviceSharing.Sightings s = new DeviceSharing.Sightings();
        assertThat(rule.observe(s, "a", 0, 100)).isNull();
        assertThat(rule.observe(s, "b", MIN, 200)).isNull();
        assertThat(rule.observe(s, "c", 2 * MIN, 300)).isNull();
        DeviceSharing.Flag first = rule.observe(s, "d", 3 * MIN, 400);
        assertThat(first.accounts()).containsExactly("a", "b", "c", "d");
        assertThat(first.newAccounts()).containsExactly("a", "b", "c", "d");
        assertThat(first.openedFen()).isEqualTo(1_000);
        assertThat(first.firstSeenMs()).isZero();
        assertThat(first.lastSeenMs()).isEqualTo(3 * MIN);

        assertThat(rule.observe(s, "b", 4 * MIN, 50))
                .as("a known account adds no flag")
                .isNull();
        DeviceSharing.Flag second = rule.observe(s, "e", 5 * MIN, 500);
        assertThat(second.newAccounts()).containsExactly("e");
        assertThat(second.accounts()).containsExactly("a", "b", "c", "d", "e");
        assertThat(second.openedFen()).isEqualTo(1_550);
    }

    @Test
    void aRelayChainIsCaughtWhileItsAccountsFallWithinOneWindowButNotWhenSpreadWider() {
        // one phone handed on every 3 minutes: four accounts within 10 minutes
        DeviceSharing.Sightings chain = new DeviceSharing.Sightings();
        DeviceSharing.Flag flag = null;
        for (int i = 0; i < 4; i++) {
            flag = rule.observe(chain, "relay-" + i, i * 3 * MIN, 100);
        }
        assertThat(flag).isNotNull();
        assertThat(flag.accounts()).hasSize(4);

        // a phone resold every 4 hours: never more than one account within the window
        DeviceSharing.Sightings resold = new DeviceSharing.Sightings();
        for (int i = 0; i < 6; i++) {
            assertThat(rule.observe(resold, "owner-" + i, i * 240 * MIN, 100)).isNull();
            assertThat(resold.size()).isEqualTo(1);
        }
    }

    @Test
    void expiryForgetsAgedAccountsAndReportsWhenNothingIsLeft() {
        DeviceSharing.Sightings s = new DeviceSharing.Sightings();
        rule.observe(s, "a", 0, 1);
        rule.observe(s, "b", 5 * MIN, 1);
        assertThat(rule.expiresAt(s)).isEqualTo(15 * MIN);
        assertThat(rule.expire(s, 1)).isTrue();
        assertThat(s.size()).isEqualTo(1);
        assertThat(rule.expire(s, 5 * MIN + 1)).isFalse();
        assertThat(s.size()).isZero();
    }

    @Test
    void stateIsBoundedPerDeviceHoweverManyAccountsAFarmPushesThrough() {
        DeviceSharing.Sightings s = new DeviceSharing.Sightings();
        int flagged = 0;
        for (int i = 0; i < 1_000; i++) {
            DeviceSharing.Flag f = rule.observe(s, "farm-" + i, i, 1);
            if (f != null) {
                flagged += f.newAccounts().size();
            }
        }
        assertThat(s.size()).isEqualTo(DeviceSharing.MAX_ACCOUNTS);
        assertThat(flagged).as("every account named once").isEqualTo(1_000);
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThatThrownBy(() -> new DeviceSharing(1, MIN)).hasMessageContaining("2..64");
        assertThatThrownBy(() -> new DeviceSharing(4, 0)).hasMessageContaining("positive");
    }
}
