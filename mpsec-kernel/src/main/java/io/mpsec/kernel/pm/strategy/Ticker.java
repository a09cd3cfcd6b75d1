package io.mpsec.kernel.pm.strategy;

import io.mpsec.kernel.diag.SubflowProgress;
import io.mpsec.kernel.diag.SubflowProgressReader;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The strategy runner's ticks: a daemon thread that runs one task at a fixed delay until closed, and
 * the sock_diag reader the ticking strategies poll ({@link PmContext#subflowProgress()}).
 */
final class Ticker implements AutoCloseable {
    private final ScheduledExecutorService exec;
    private final SubflowProgressReader reader;

    private Ticker(ScheduledExecutorService exec, SubflowProgressReader reader) {
        this.exec = exec;
        this.reader = reader;
    }

    /** How a tick reports a failed {@link PmStrategy#onTick}. */
    interface Report {
        void failed(PmStrategy s, String what, Exception ex);
    }

    /**
     * Opens the reader in {@code ns} and calls {@link PmStrategy#onTick} of each ticking strategy every
     * {@code periodMillis} (after the previous tick ended), synchronized on {@code runner} as all its
     * callbacks. A failure is reported once, and again only when its message changes.
     */
    static Ticker start(NetNamespace ns, long periodMillis, StrategyRunner runner, List<PmStrategy> strategies, Report report)
            throws IOException {
        String[] last = new String[1];
        Runnable task = () -> {
            synchronized (runner) {
                for (PmStrategy s : strategies) {
                    if (s.tickMillis() <= 0) {
                        continue;
                    }
                    try {
                        s.onTick(runner);
                    } catch (IOException | RuntimeException ex) {
                        String m = s.name() + ": " + ex.getMessage();
                        if (!m.equals(last[0])) {
                            last[0] = m;
                            report.failed(s, "tick", ex);
                        }
                    }
                }
            }
        };
        if (periodMillis <= 0) {
            throw new IllegalArgumentException("tick period must be positive, not " + periodMillis + " ms");
        }
        SubflowProgressReader reader = SubflowProgressReader.open(ns);
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mpsec-pm-tick");
            t.setDaemon(true);
            return t;
        });
        exec.scheduleWithFixedDelay(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return new Ticker(exec, reader);
    }

    List<SubflowProgress> read() throws IOException {
        return reader.read();
    }

    /** The shortest positive {@link PmStrategy#tickMillis()} of {@code strategies}, 0 when none ticks. */
    static long period(Iterable<PmStrategy> strategies) {
        long p = 0;
        for (PmStrategy s : strategies) {
            long t = s.tickMillis();
            if (t > 0 && (p == 0 || t < p)) {
                p = t;
            }
        }
        return p;
    }

    @Override
    public void close() throws IOException {
        exec.shutdownNow();
        reader.close();
    }
}
