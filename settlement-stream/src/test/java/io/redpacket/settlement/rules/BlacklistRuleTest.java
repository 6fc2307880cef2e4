package io.redpacket.settlement.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.redpacket.keys.KeyBlacklist;
import org.junit.jupiter.api.Test;

class BlacklistRuleTest {
    @Test
    void theOperatorsLatestWordWinsOverTheCommandLine() {
        KeyBlacklist cli = KeyBlacklist.of(3, 9);
        assertThat(BlacklistRule.isBlocked(3, null, cli)).isTrue();
        assertThat(BlacklistRule.isBlocked(4, null, cli)).isFalse();
        assertThat(BlacklistRule.isBlocked(4, Boolean.TRUE, cli)).isTrue();
        assertThat(BlacklistRule.isBlocked(9, Boolean.FALSE, cli)).isFalse();
        assertThat(BlacklistRule.isBlocked(9, null, KeyBlacklist.of())).isFalse();
    }
}
