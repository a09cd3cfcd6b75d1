package io.mpsec.agent.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-second receive rates of the demo, kept apart by phase so the report can compare "every path
 * carrying" with "path 1 cut" from the same run. A second counts as "every path carrying" only when
 * each path moved at least {@link #CARRYING} of its rate limit (so the seconds in which a restored
 * path is still coming back count for neither), and as "cut" only from {@link #SETTLE_SECONDS} after
 * the cut on.
 */
final class RateLog {
    static final int SETTLE_SECONDS = 2;
    static final double CARRYING = 0.25;
    private final double rateMbit;
    private final List<Double> allUp = new ArrayList<>();
    private final List<Double> cut = new ArrayList<>();
    private int sinceChange = SETTLE_SECONDS;

    RateLog(double rateMbit) {
        this.rateMbit = rateMbit;
    }

    /** A change of phase (a cut or a restore) happened this second. */
    void changed() {
        sinceChange = 0;
    }

    /** The per-path rates (Mbit/s, index 0 = path 1) of the second that just ended. */
    void add(double[] mbit, boolean pathCut) {
        sinceChange++;
        double total = 0;
        boolean everyPath = true;
        for (double m : mbit) {
            total += m;
            everyPath &= m >= CARRYING * rateMbit;
        }
        if (pathCut) {
            if (sinceChange > SETTLE_SECONDS) {
                cut.add(total);
            }
        } else if (everyPath) {
            allUp.add(total);
        }
    }

    /** Mean Mbit/s while every path carried traffic, or NaN when no such second was seen. */
    double allUpMean() {
        return mean(allUp);
    }

    /** Mean Mbit/s with path 1 cut, or NaN. */
    double cutMean() {
        return mean(cut);
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
