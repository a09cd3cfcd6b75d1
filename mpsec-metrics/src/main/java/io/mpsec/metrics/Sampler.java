package io.mpsec.metrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Calls {@link Sampled#sample()} of its binders on one daemon thread, every period (one second for
 * the per-second rates). Bind the binders to the registry first, then {@link #add} them.
 */
public final class Sampler implements AutoCloseable {
    private final List<Sampled> binders = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread;

    /** Starts sampling every {@code period} (at least 100 ms). */
    public Sampler(Duration period) {
        if (period.toMillis() < 100) {
            throw new IllegalArgumentException("sampling period " + period + " is too short; use at least 100 ms");
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mpsec-metrics-sampler");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleAtFixedRate(this::sampleAll, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Adds a binder; it is sampled once now. */
    public Sampler add(Sampled binder) {
        binders.add(binder);
        thread.execute(binder::sample);
        return this;
    }

    /**
     * Adds a binder sampled once now and then every {@code periods} periods (for expensive sources
     * whose readers do not need every period, such as the sock_diag dumps of many connections).
     */
    public Sampler add(Sampled binder, int periods) {
        if (periods < 1) {
            throw new IllegalArgumentException("periods must be at least 1, got " + periods);
        }
        if (periods == 1) {
            return add(binder);
        }
        int[] calls = {0};
        binders.add(() -> {
            if (++calls[0] % periods == 0) {
                binder.sample();
            }
        });
        thread.execute(binder::sample);
        return this;
    }

    private void sampleAll() {
        for (Sampled b : binders) {
            try {
                b.sample();
            } catch (RuntimeException e) {
                // a binder's own failure must not stop the others; binders record their read errors
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
