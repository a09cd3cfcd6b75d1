package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.xfrm.XfrmEvent;
import io.mpsec.ipsec.xfrm.XfrmEvents;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Rekeys a {@link SecurePaths} when the kernel reports a soft EXPIRE for one of the active
 * generation's outbound SAs: the soft limits (time, bytes, packets) are set well before the hard
 * ones, so the new generation is in place before the old SAs die. The peer already has the new
 * generation's inbound SAs (installed ahead), so the hosts need not rekey at the same moment. About
 * once a second it also runs {@link SecurePaths#maintain}: follows a peer that moved ahead and
 * retires old generations whose inbound SAs stayed idle for {@code graceMillis}. A failed rekey is
 * retried with backoff (1 s doubling to 30 s) while the hard limit has not struck; only a failure of
 * the event socket itself stops the thread. Expires of other SAs and hard expires are ignored.
 *
 * <p>Runs on its own daemon thread; {@link #close()} stops it. Log lines name SAs by addresses and
 * SPI only, never keys.
 */
public final class AutoRekey implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AutoRekey.class.getName());
    private static final long MIN_BACKOFF_MILLIS = 1000;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private final SecurePaths paths;
    private final XfrmEvents events;
    private final long graceMillis;
    private final Consumer<Long> onRekey;
    private final Thread thread;
    private volatile boolean running = true;

    public AutoRekey(SecurePaths paths, XfrmEvents events, long graceMillis, Consumer<Long> onRekey) {
        this.paths = paths;
        this.events = events;
        this.graceMillis = graceMillis;
        this.onRekey = onRekey;
        this.thread = new Thread(this::loop, "mpsec-auto-rekey");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        long retryAt = Long.MAX_VALUE;
        long backoff = MIN_BACKOFF_MILLIS;
        long lastMaintain = 0;
        while (running) {
            XfrmEvent e;
            try {
                e = events.next(500);
            } catch (IOException ex) {
                if (running) {
                    LOG.log(Level.WARNING, "xfrm event socket failed; automatic rekey stopped", ex);
                }
                return;
            }
            long now = System.nanoTime() / 1_000_000L;
            if (e instanceof XfrmEvent.SaExpired && wantsRekey((XfrmEvent.SaExpired) e)) {
                retryAt = now;
            }
            if (now >= retryAt) {
                try {
                    long gen = paths.activeGeneration();
                    long next = paths.rekeyOutbound();
                    LOG.info(() -> "rekeyed outbound SAs from generation " + gen + " to " + next);
                    retryAt = Long.MAX_VALUE;
                    backoff = MIN_BACKOFF_MILLIS;
                    onRekey.accept(next);
                } catch (IOException | RuntimeException ex) {
                    long wait = backoff;
                    LOG.log(Level.WARNING, "rekey failed (" + ex.getClass().getSimpleName() + "); retrying in " + wait + " ms", ex);
                    retryAt = now + wait;
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
                }
            }
            if (now - lastMaintain >= 1000) {
                lastMaintain = now;
                try {
                    long before = paths.activeGeneration();
                    long after = paths.maintain(graceMillis);
                    if (after != before) {
                        LOG.info(() -> "peer moved to generation " + after + "; outbound followed");
                        onRekey.accept(after);
                    }
                } catch (IOException | RuntimeException ex) {
                    LOG.log(Level.WARNING, "retiring idle SA generations failed (" + ex.getClass().getSimpleName() + "); will retry", ex);
                }
            }
        }
    }

    /** A soft expire of one of the active generation's outbound SAs. */
    private boolean wantsRekey(XfrmEvent.SaExpired e) {
        long gen = paths.activeGeneration();
        List<PathSa> current = paths.installedSas().get(gen);
        if (e.hard() || current == null || current.stream().noneMatch(s -> s.outbound() && s.id().equals(e.sa()))) {
            return false;
        }
        LOG.info(() -> "soft expire of " + e.sa() + " (generation " + gen + "); rekeying");
        return true;
    }

    @Override
    public void close() throws IOException {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.close();
    }
}
