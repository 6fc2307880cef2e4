package io.redpacket.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OperatorTokensTest {
    @Test
    void aTokenNamesItsOperator() {
        OperatorTokens t = OperatorTokens.parse(
                "# operators\nalice:alice-token-0123456789\n\nbob: bob-token-0123456789abc\n", "ops.txt");
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.operatorOf("Bearer alice-token-0123456789")).isEqualTo("alice");
        assertThat(t.operatorOf("Bearer bob-token-0123456789abc ")).isEqualTo("bob");
        assertThat(t.operatorOf("Bearer alice-token-012345678")).isNull();
        assertThat(t.operatorOf("alice-token-0123456789")).isNull();
        assertThat(t.operatorOf("Bearer ")).isNull();
        assertThat(t.operatorOf(null)).isNull();
        assertThat(OperatorTokens.parse("just-one-token-0123456", "ENV").operatorOf("Bearer just-one-token-0123456"))
                .isEqualTo("operator");
        assertThat(OperatorTokens.none().isEmpty()).isTrue();
        assertThat(OperatorTokens.none().operatorOf("Bearer anything-at-all-000"))
                .isNull();
    }

    @Test
    void badLinesAreLocated() {
        assertThatThrownBy(() -> OperatorTokens.parse("alice:short", "ops.txt"))
                .hasMessage("ops.txt:1: token of 'alice': at least 16 characters");
        assertThatThrownBy(() -> OperatorTokens.parse("ok:0123456789abcdef\nbad name:0123456789abcdef", "ops.txt"))
                .hasMessageStartingWith("ops.txt:2: operator name");
        assertThatThrownBy(() -> OperatorTokens.parse("a:0123456789abcdef\na:0123456789abcdefg", "ops.txt"))
                .hasMessage("ops.txt:2: operator 'a' listed twice");
    }
}
