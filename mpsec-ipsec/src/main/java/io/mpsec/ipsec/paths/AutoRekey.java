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
 * generation's SAs: the soft limits (time, bytes, packets) are set well before the hard ones, so
 * the new generation is in place before the old SAs die. Both hosts see soft expires for the same
 * traffic and each moves to the next generation, which they derive alike. Expires of other SAs, a
 * second expire of the same generation and hard expires of retired SAs are ignored.
 *
 * <p>Runs on its own daemon thread; {@link #close()} stops it. Log lines name SAs by addresses and
 * SPI only, never keys.
 */
public final class AutoRekey implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AutoRekey.class.getName());
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
        while (running) {
            try {
                XfrmEvent e = events.next(500);
                if (e instanceof XfrmEvent.SaExpired) {
                    handle((XfrmEvent.SaExpired) e);
                }
            } catch (IOException ex) {
                if (running) {
                    LOG.log(Level.WARNING, "xfrm event subscription failed; automatic rekey stopped", ex);
                }
                return;
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void handle(XfrmEvent.SaExpired e) throws IOException, InterruptedException {
        long gen = paths.activeGeneration();
        List<PathSa> current = paths.installedSas().get(gen);
        if (e.hard() || current == null || current.stream().noneMatch(s -> s.id().equals(e.sa()))) {
            return;
        }
        LOG.info(() -> "soft expire of " + e.sa() + " (generation " + gen + "); rekeying");
        long next = paths.rekey(graceMillis);
        onRekey.accept(next);
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
