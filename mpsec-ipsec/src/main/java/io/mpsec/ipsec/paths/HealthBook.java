package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.paths.RekeyHealth.Cause;
import io.mpsec.ipsec.paths.RekeyHealth.Failure;
import io.mpsec.ipsec.paths.RekeyHealth.State;
import io.mpsec.ipsec.xfrm.XfrmEvents;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The mutable record behind {@link RekeyHealth} snapshots, and the health listeners. Written by the
 * {@link AutoRekey} thread (and counted into by the event reader thread), read by anyone: every
 * method is synchronized; {@link #publish} (the AutoRekey thread, and {@link AutoRekey#close()})
 * serialises on its own lock and calls the listeners outside the record's lock.
 */
final class HealthBook {
    private static final Logger LOG = Logger.getLogger(AutoRekey.class.getName());
    /** Changes of counters only are published at most this often. */
    private static final long COUNTER_PUBLISH_MILLIS = 1000;

    private final RekeyTime time;
    private final List<Consumer<RekeyHealth>> listeners = new CopyOnWriteArrayList<>();
    private final Set<String> failing = new TreeSet<>();
    private boolean stopped;
    private long activeGeneration;
    private List<InetAddress> peers = List.of();
    private java.util.Map<InetAddress, Long> peerGenerations = java.util.Map.of();
    private Instant lastRekeyAt;
    private long lastRekeyGeneration;
    private Cause lastRekeyCause;
    private long rekeys;
    private Failure lastError;
    private long consecutiveFailures;
    private XfrmEvents current;
    private long pastOverruns;
    private long pastSkipped;
    private long pastCallbackFailures;
    private Instant firstOverrunAt;
    private Instant lastOverrunAt;
    private long resyncs;
    private long dropped;
    private long callbackFailures;
    private long restarts;
    private final Object publishLock = new Object();
    private RekeyHealth published; // guarded by publishLock
    private long publishedAt; // guarded by publishLock

    HealthBook(RekeyTime time) {
        this.time = time;
    }

    void addListener(Consumer<RekeyHealth> l) {
        listeners.add(l);
    }

    /** {@code s} is now the subscription; {@code restart} when it replaces a failed one. */
    synchronized void attach(XfrmEvents s, boolean restart) {
        current = s;
        if (restart) {
            restarts++;
        }
    }

    /** The current subscription is gone; its counters are kept. */
    synchronized void detach() {
        if (current != null) {
            pastOverruns += current.overruns();
            pastSkipped += current.skipped();
            pastCallbackFailures += current.callbackFailures();
            current = null;
        }
    }

    synchronized void generation(long g) {
        activeGeneration = g;
    }

    synchronized void peers(List<InetAddress> p) {
        peers = List.copyOf(p);
    }

    synchronized void peerGenerations(java.util.Map<InetAddress, Long> g) {
        peerGenerations = java.util.Map.copyOf(g);
    }

    synchronized void rekeyed(long generation, Cause cause) {
        activeGeneration = generation;
        lastRekeyAt = time.now();
        lastRekeyGeneration = generation;
        lastRekeyCause = cause;
        rekeys++;
    }

    /** An attempt of {@code operation} failed; it stays failing until {@link #succeeded}. */
    synchronized void failed(String operation, Throwable t) {
        lastError = Failure.of(time.now(), operation, t);
        consecutiveFailures++;
        failing.add(operation);
    }

    synchronized void succeeded(String operation) {
        failing.remove(operation);
        if (failing.isEmpty()) {
            consecutiveFailures = 0;
        }
    }

    /** A callback threw: counted and kept as the last error; the state does not change. */
    synchronized void callbackFailed(Throwable t) {
        callbackFailures++;
        lastError = Failure.of(time.now(), "callback", t);
    }

    /** Called on the event reader thread right after it counted an overrun. */
    synchronized void overrun() {
        Instant now = time.now();
        if (firstOverrunAt == null) {
            firstOverrunAt = now;
        }
        lastOverrunAt = now;
    }

    synchronized void resynced() {
        resyncs++;
    }

    synchronized void dropped() {
        dropped++;
    }

    synchronized void stopped() {
        stopped = true;
    }

    synchronized RekeyHealth snapshot() {
        XfrmEvents c = current;
        long overruns = pastOverruns + (c == null ? 0 : c.overruns());
        if (overruns > 0 && firstOverrunAt == null) {
            overrun(); // counted by the reader thread a moment before it reported it here
        }
        State state = stopped ? State.STOPPED : c == null || !failing.isEmpty() ? State.DEGRADED : State.RUNNING;
        return new RekeyHealth(state, activeGeneration, peers, peerGenerations, lastRekeyAt, lastRekeyGeneration, lastRekeyCause, rekeys,
                lastError, consecutiveFailures, overruns, firstOverrunAt, lastOverrunAt,
                resyncs, pastSkipped + (c == null ? 0 : c.skipped()), dropped,
                callbackFailures + pastCallbackFailures + (c == null ? 0 : c.callbackFailures()), restarts);
    }

    /**
     * Tells the listeners about a changed snapshot: at once when the state, generation, rekeys,
     * errors or restarts changed, or the first overrun appeared; changes of counters alone at most
     * once a second. {@code force}: whenever anything changed.
     */
    void publish(boolean force) {
        synchronized (publishLock) {
            RekeyHealth h = snapshot();
            RekeyHealth before = published;
            if (h.equals(before)) {
                return;
            }
            long now = time.millis();
            if (!force && before != null && !significant(before, h) && now - publishedAt < COUNTER_PUBLISH_MILLIS) {
                return;
            }
            published = h;
            publishedAt = now;
            for (Consumer<RekeyHealth> l : listeners) {
                try {
                    l.accept(h);
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.WARNING, "health listener failed (" + e.getClass().getSimpleName() + ")", e);
                    callbackFailed(e);
                }
            }
        }
    }

    private static boolean significant(RekeyHealth a, RekeyHealth b) {
        return a.state() != b.state() || a.activeGeneration() != b.activeGeneration() || a.rekeys() != b.rekeys()
                || !java.util.Objects.equals(a.lastError(), b.lastError()) || a.consecutiveFailures() != b.consecutiveFailures()
                || a.subscriptionRestarts() != b.subscriptionRestarts() || (a.eventOverruns() == 0) != (b.eventOverruns() == 0)
                || !a.peers().equals(b.peers()) || !a.peerGenerations().equals(b.peerGenerations());
    }
}
