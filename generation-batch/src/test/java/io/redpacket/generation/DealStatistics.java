package io.redpacket.generation;

/** Chi-square helpers for the statistical tests. */
final class DealStatistics {
    private DealStatistics() {}

    /** Pearson's chi-square of a contingency table (rows x columns) against independence. */
    static double chiSquareIndependence(long[][] t) {
        int rows = t.length;
        int cols = t[0].length;
        double[] rowSum = new double[rows];
        double[] colSum = new double[cols];
        double n = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                rowSum[r] += t[r][c];
                colSum[c] += t[r][c];
                n += t[r][c];
            }
        }
        double chi = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double e = rowSum[r] * colSum[c] / n;
                if (e > 0) {
                    chi += (t[r][c] - e) * (t[r][c] - e) / e;
                }
            }
        }
        return chi;
    }

    /** Chi-square goodness of fit of observed counts against expected counts. */
    static double chiSquare(long[] observed, double[] expected) {
        double chi = 0;
        for (int i = 0; i < observed.length; i++) {
            if (expected[i] > 0) {
                chi += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
            }
        }
        return chi;
    }

    /** The 99.9% quantile of chi-square with {@code df} degrees of freedom (Wilson-Hilferty). */
    static double critical999(int df) {
        double z = 3.0902;
        double a = 2.0 / (9 * df);
        return df * Math.pow(1 - a + z * Math.sqrt(a), 3);
    }
}
