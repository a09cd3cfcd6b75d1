package io.mpsec.agent.demo;

/**
 * When the demo cuts path 1 and when it restores it: the first cut {@code firstAtSeconds} after the
 * start, held for {@code holdSeconds}, then again every {@code everySeconds}. Cuts alternate between a
 * link down (the kernel knows at once) and a silent blackhole (only timeouts can tell). A cut that
 * would outlast the run is not started, so the demo always ends with every path up.
 */
record FaultSchedule(boolean enabled, int firstAtSeconds, int holdSeconds, int everySeconds) {
    /** The kind of fault of a cut. */
    enum Kind {
        LINK_DOWN("link down"), BLACKHOLE("blackhole: packets silently dropped");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** What to do at second {@code t} (1-based) of a run of {@code duration} seconds (0 = unlimited). */
    sealed interface Step permits Cut, Restore, Nothing {
    }

    /** Cut path 1 with this kind of fault. */
    record Cut(Kind kind) implements Step {
    }

    /** Restore path 1. */
    record Restore() implements Step {
    }

    /** Leave things as they are. */
    record Nothing() implements Step {
    }

    FaultSchedule {
        if (enabled && (firstAtSeconds < 1 || holdSeconds < 1 || everySeconds <= holdSeconds)) {
            throw new IllegalArgumentException("fault schedule: first cut after >= 1 s, hold >= 1 s, repeat period longer than the hold");
        }
    }

    /** The default: first cut after 10 s, held 8 s, repeated every 30 s. */
    static FaultSchedule standard() {
        return new FaultSchedule(true, 10, 8, 30);
    }

    /** No faults. */
    static FaultSchedule none() {
        return new FaultSchedule(false, 1, 1, 2);
    }

    Step at(int t, int duration) {
        if (!enabled || t < firstAtSeconds) {
            return new Nothing();
        }
        int since = t - firstAtSeconds;
        int phase = since % everySeconds;
        int cycle = since / everySeconds;
        if (phase == 0) {
            int restoreAt = t + holdSeconds;
            if (duration > 0 && restoreAt >= duration) {
                return new Nothing();
            }
            return new Cut(cycle % 2 == 0 ? Kind.LINK_DOWN : Kind.BLACKHOLE);
        }
        if (phase == holdSeconds) {
            return new Restore();
        }
        return new Nothing();
    }
}
