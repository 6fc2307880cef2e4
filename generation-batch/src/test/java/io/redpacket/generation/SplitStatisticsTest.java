package io.redpacket.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redpacket.generation.split.AmountSplitter;
import java.math.BigInteger;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The random split: exact sum, bounds, the documented distribution, and no dependence on position. */
class SplitStatisticsTest {

    @ParameterizedTest(name = "{0} fen into {1} envelopes of {2}..{3}")
    @CsvSource({
        "3000000, 12000, 100, 800", // mean 250, half-width 150
        "1000000, 100000, 1, 1000", // mean 10 close to min
        "99999, 1000, 50, 100", // mean 99.999 close to max
        "500, 500, 1, 1", // forced: every envelope 1
        "1234567, 1, 1, 16777215", // one envelope takes all
        "7000001, 7, 1000000, 1000001", // tight bounds, remainder 1
    })
    void sumIsExactAndBoundsHold(long total, int count, long min, long max) {
        long[] a = new long[count];
        AmountSplitter.split(total, count, min, max, 42L, a, 0);
        assertThat(Arrays.stream(a).sum()).isEqualTo(total);
        assertThat(Arrays.stream(a).min().getAsLong()).isGreaterThanOrEqualTo(min);
        assertThat(Arrays.stream(a).max().getAsLong()).isLessThanOrEqualTo(max);
    }

    @Test
    void meanAndSpreadAreThoseDocumented() {
        int n = 200_000;
        long[] a = new long[n];
        // mean 250, half-width min(250-100, 800-250) = 150: uniform on 100..400, variance ((2*150+1)^2-1)/12
        AmountSplitter.split(250L * n, n, 100, 800, 7L, a, 0);
        double mean = Arrays.stream(a).average().orElseThrow();
        double var = Arrays.stream(a).mapToDouble(x -> (x - mean) * (x - mean)).sum() / (n - 1);
        double expectedVar = (301.0 * 301.0 - 1) / 12;
        assertThat(mean).isEqualTo(250.0);
        assertThat(var).isBetween(expectedVar * 0.97, expectedVar * 1.03);
        assertThat(Arrays.stream(a).min().getAsLong()).isBetween(100L, 102L);
        assertThat(Arrays.stream(a).max().getAsLong()).isBetween(398L, 401L);
        // uniform over the 301 values 100..400: each of 7 bins of 43 values holds a seventh (chi-square, 6 df, 99.9% =
        // 22.5)
        long[] bins = new long[7];
        for (long x : a) {
            bins[(int) ((x - 100) / 43)]++;
        }
        assertThat(chiSquareUniform(bins)).isLessThan(22.5);
    }

    @Test
    void positionDoesNotPredictAmount() {
        int n = 200_000;
        long[] a = new long[n];
        AmountSplitter.split(1_000_000_37L, n, 1, 2000, 99L, a, 0); // mean 500.0002, half-width 499
        double mi = (n - 1) / 2.0;
        double ma = Arrays.stream(a).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            sxy += (i - mi) * (a[i] - ma);
            sxx += (i - mi) * (i - mi);
            syy += (a[i] - ma) * (a[i] - ma);
        }
        double r = sxy / Math.sqrt(sxx * syy);
        // |r| < 4 / sqrt(n) is a 4-sigma bound for independent draws
        assertThat(Math.abs(r)).isLessThan(4 / Math.sqrt(n));
        // the mean of each tenth of the sequence equals the overall mean within 4 standard errors
        double sd = Math.sqrt(syy / n);
        for (int d = 0; d < 10; d++) {
            double m = Arrays.stream(a, d * n / 10, (d + 1) * n / 10).average().orElseThrow();
            assertThat(Math.abs(m - ma)).isLessThan(4 * sd / Math.sqrt(n / 10.0));
        }
        // a draw does not predict the next (lag-1 autocorrelation)
        double lag = 0;
        for (int i = 1; i < n; i++) {
            lag += (a[i] - ma) * (a[i - 1] - ma);
        }
        assertThat(Math.abs(lag / syy)).isLessThan(4 / Math.sqrt(n));
    }

    @Test
    void sameKeySameAmountsOtherKeyOtherAmounts() {
        long[] a = new long[1000];
        long[] b = new long[1000];
        long[] c = new long[1000];
        AmountSplitter.split(300_000, 1000, 100, 500, 1L, a, 0);
        AmountSplitter.split(300_000, 1000, 100, 500, 1L, b, 0);
        AmountSplitter.split(300_000, 1000, 100, 500, 2L, c, 0);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void infeasibleSplitIsRefused() {
        assertThatThrownBy(() -> AmountSplitter.split(99, 10, 10, 20, 1L, new long[10], 0))
                .hasMessageContaining("infeasible split: 10 envelopes of 10..20 fen for 99 fen");
    }

    @Test
    void sharesAddUpExactlyAndStayFeasible() {
        long total = 1_000_000_007L;
        long count = 333_333L;
        long sum = 0;
        long prev = 0;
        for (long to = 1000; prev < count; to = Math.min(count, to + 1777)) {
            long s = AmountSplitter.share(total, count, prev, to);
            long c = to - prev;
            assertThat(s).isBetween(c * (total / count), c * (total / count + 1));
            sum += s;
            prev = to;
        }
        assertThat(sum).isEqualTo(total);
    }

    @Test
    void shareIsExactBeyondSixtyFourBits() {
        long count = (1L << 40) - 3;
        long total = count * 16_000_000L + (1L << 39) + 5; // remainder near 2^39: remainder x index exceeds 2^64
        long from = (1L << 39) + 11;
        long to = count - 17;
        BigInteger t = BigInteger.valueOf(total);
        BigInteger n = BigInteger.valueOf(count);
        long expected = t.multiply(BigInteger.valueOf(to))
                .divide(n)
                .subtract(t.multiply(BigInteger.valueOf(from)).divide(n))
                .longValueExact();
        assertThat(AmountSplitter.share(total, count, from, to)).isEqualTo(expected);
    }

    static double chiSquareUniform(long[] observed) {
        long n = Arrays.stream(observed).sum();
        double e = (double) n / observed.length;
        double chi = 0;
        for (long o : observed) {
            chi += (o - e) * (o - e) / e;
        }
        return chi;
    }
}
