package io.redpacket.money;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FenTest {
    @Test
    void showsFenAsYuanWithTwoDecimalsAndThousandsSeparators() {
        assertThat(Fen.yuan(0)).isEqualTo("0.00");
        assertThat(Fen.yuan(7)).isEqualTo("0.07");
        assertThat(Fen.yuan(123_456)).isEqualTo("1,234.56");
        assertThat(Fen.yuan(197_000_000)).isEqualTo("1,970,000.00");
    }

    @Test
    void negativeAmountsCarryOneSignInFront() {
        assertThat(Fen.yuan(-7)).isEqualTo("-0.07");
        assertThat(Fen.yuan(-150)).isEqualTo("-1.50");
        assertThat(Fen.yuan(-123_456)).isEqualTo("-1,234.56");
    }

    @Test
    void theExtremesDoNotOverflow() {
        assertThat(Fen.yuan(Long.MIN_VALUE)).isEqualTo("-92,233,720,368,547,758.08");
        assertThat(Fen.yuan(Long.MAX_VALUE)).isEqualTo("92,233,720,368,547,758.07");
    }
}
