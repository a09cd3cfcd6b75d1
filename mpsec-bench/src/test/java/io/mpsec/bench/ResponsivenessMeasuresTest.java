package io.mpsec.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure arithmetic behind ResponsivenessBenchmark's shift and settle times, on hand-made series. */
class ResponsivenessMeasuresTest {
    /** {t from the cut, cumulative drops on link B}, sampled every 0.5 s from 1 s before the cut to 9 s after. */
    private static List<double[]> drops(double... increaseAt) {
        List<double[]> series = new java.util.ArrayList<>();
        long count = 10;
        for (double t = -1; t <= 9.001; t += 0.5) {
            for (double at : increaseAt) {
                if (Math.abs(at - t) < 1e-9) {
                    count += 7;
                }
            }
            series.add(new double[] {t, count});
        }
        return series;
    }

    @Test
    void settledAtTheLastDropWhenTheRestOfTheWindowIsQuiet() {
        List<double[]> olia = drops(0.5, 1.0);
        assertThat(ResponsivenessBenchmark.lastDropSeconds(olia)).isEqualTo(1.0);
        assertThat(ResponsivenessBenchmark.settleSeconds(olia, 9)).isEqualTo(1.0);
    }

    @Test
    void notSettledWhileTheCutLinkKeepsOverflowing() {
        List<double[]> reno = drops(0.5, 3.5, 7.0);
        assertThat(ResponsivenessBenchmark.lastDropSeconds(reno)).isEqualTo(7.0);
        assertThat(ResponsivenessBenchmark.settleSeconds(reno, 9)).isInfinite();
        // a drop 4.5 s before the end still leaves the 4 quiet seconds the definition asks for
        assertThat(ResponsivenessBenchmark.settleSeconds(drops(0.5, 4.5), 9)).isEqualTo(4.5);
    }

    @Test
    void dropsBeforeTheCutDoNotCountAndNoDropsAtAllSettleAtZero() {
        assertThat(ResponsivenessBenchmark.lastDropSeconds(drops(-0.5))).isZero();
        assertThat(ResponsivenessBenchmark.settleSeconds(drops(), 9)).isZero();
    }

    @Test
    void aSeriesThatStopsEarlyCannotShowSettling() {
        List<double[]> cutShort = drops(0.5).subList(0, 8); // up to 2.5 s after the cut
        assertThat(ResponsivenessBenchmark.settleSeconds(cutShort, 9)).isInfinite();
    }

    @Test
    void shiftIsTheFirstSampleFromWhichTheMedianOfThreeRatesIsWithinTheTolerance() {
        // columns: t, cwnd1, srtt1, cwnd2, srtt2, rate2 (Mbit/s)
        List<double[]> rel = List.of(new double[] {-0.2, 0, 0, 0, 0, 95}, new double[] {0.25, 0, 0, 0, 0, 60},
                new double[] {0.5, 0, 0, 0, 0, 24}, new double[] {0.75, 0, 0, 0, 0, 90}, new double[] {1.0, 0, 0, 0, 0, 25},
                new double[] {1.25, 0, 0, 0, 0, 24});
        assertThat(ResponsivenessBenchmark.shiftSeconds(rel)).isEqualTo(0.5);
        assertThat(ResponsivenessBenchmark.shiftSeconds(rel.subList(0, 3))).isInfinite();
    }
}
