package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.paths.RekeyHealth.Cause;
import io.mpsec.ipsec.xfrm.XfrmEvent;
import io.mpsec.ipsec.xfrm.XfrmEvents;
import io.mpsec.ipsec.xfrm.msg.SaId;
import java.io.IOException;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The loop of the {@link AutoRekey} thread. Everything it does is an attempt with a deadline:
 * rekey (after a soft EXPIRE or a missed one), housekeeping ({@link SecurePaths#maintain}, every
 * second, at once after events were lost) and reopening the event subscription. A failed attempt is
 * retried after its own {@link Backoff}; nothing but {@link #stop()} ends the loop. The event reader
 * thread only puts soft EXPIREs and signals into the inbox.
 */
final class RekeyWorker implements Runnable {
    private static final Logger LOG = Logger.getLogger(AutoRekey.class.getName());
    static final long NEVER = Long.MAX_VALUE;
    static final long MAINTAIN_EVERY_MILLIS = 1000;
    static final int INBOX_CAPACITY = 1024;
    /** A soft time limit is taken as missed this long after it passed (the kernel's timer is coarse). */
    static final long MISSED_SLACK_MILLIS = 2000;

    /** The subscription {@code sub} failed with {@code error}. */
    private record Failed(XfrmEvents sub, IOException error) {
    }

    /** Wakes the loop (an overrun or a dropped event was flagged). */
    private static final Object WAKE = new Object();

    private final RekeyTarget target;
    private final AutoRekey.Subscriptions subscriptions;
    private final long graceMillis;
    private final Consumer<Long> onRekey;
    private final RekeyTime time;
    private final HealthBook book;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>(INBOX_CAPACITY);
    private final AtomicBoolean overrun = new AtomicBoolean();
    private final AtomicBoolean lost = new AtomicBoolean();
    private final Backoff rekeyBackoff = new Backoff();
    private final Backoff maintainBackoff = new Backoff();
    private final Backoff subscribeBackoff = new Backoff();
    private volatile boolean running = true;
    private volatile XfrmEvents sub;
    private long rekeyAt = NEVER;
    private Cause rekeyCause;
    private long maintainAt;
    private long subscribeAt = NEVER;
    private long lastResync = -MAINTAIN_EVERY_MILLIS;
    private boolean resync;
    private long trackedGeneration = -1;
    private long trackedSince;

    RekeyWorker(RekeyTarget target, AutoRekey.Subscriptions subscriptions, long graceMillis, Consumer<Long> onRekey,
            RekeyTime time, HealthBook book) {
        this.target = target;
        this.subscriptions = subscriptions;
        this.graceMillis = graceMillis;
        this.onRekey = onRekey;
        this.time = time;
        this.book = book;
        this.maintainAt = time.millis();
    }

    /** Starts with {@code first} as the subscription (called before the thread starts). */
    void attach(XfrmEvents first, boolean restart) {
        sub = first;
        book.attach(first, restart);
        first.onOverrun(() -> {
            book.overrun();
            signal(overrun);
        });
        first.onFailure(e -> inbox.offer(new Failed(first, e)));
        first.subscribe(this::onEvent);
        try {
            for (XfrmEvent e; (e = first.next(0)) != null;) { // queued before we subscribed
                onEvent(e);
            }
        } catch (IOException e) {
            inbox.offer(new Failed(first, e));
        }
    }

    /** On the event reader thread: only soft EXPIREs matter here. */
    private void onEvent(XfrmEvent e) {
        if (e instanceof XfrmEvent.SaExpired x && !x.hard() && !inbox.offer(x)) {
            book.dropped();
            signal(lost);
        }
    }

    private void signal(AtomicBoolean flag) {
        if (!flag.getAndSet(true)) {
            inbox.offer(WAKE);
        }
    }

    @Override
    public void run() {
        while (running) {
            try {
                step();
            } catch (InterruptedException e) {
                if (running) {
                    LOG.fine("interrupted while running; going on");
                }
            } catch (RuntimeException | Error e) { // a bug here must not end rekeying either
                long wait = maintainBackoff.next();
                LOG.log(Level.SEVERE, "unexpected failure in the rekey loop; going on in " + wait + " ms", e);
                book.failed("loop", e);
                book.publish(false);
                maintainAt = time.millis() + wait;
                try {
                    Thread.sleep(Math.min(wait, MAINTAIN_EVERY_MILLIS)); // never spin on a repeating failure
                } catch (InterruptedException ie) {
                    // close(), or spurious: the loop condition decides
                }
            }
        }
    }

    private void step() throws InterruptedException {
        long now = time.millis();
        if (overrun.getAndSet(false)) {
            resync = true;
        }
        if (lost.getAndSet(false)) {
            resync = true;
        }
        XfrmEvents s = sub;
        if (s != null && s.isClosed() && running) {
            lose(s, new IOException("the xfrm event subscription was closed by another caller"), now);
        }
        if (sub == null && now >= subscribeAt) {
            resubscribe(now);
        }
        if (resync && now >= lastResync + MAINTAIN_EVERY_MILLIS) { // events may have been missed: re-check now
            resync = false;
            lastResync = now;
            book.resynced();
            maintainAt = now;
            LOG.fine("xfrm events were lost; re-checking the SA state");
        }
        if (now >= rekeyAt) {
            rekey(now);
        }
        if (now >= maintainAt) {
            maintain(now);
        }
        book.succeeded("loop");
        book.publish(false);
        long next = Math.min(Math.min(rekeyAt, maintainAt), sub == null ? subscribeAt : NEVER);
        if (resync) {
            next = Math.min(next, lastResync + MAINTAIN_EVERY_MILLIS);
        }
        long wait = Math.max(0, Math.min(next - time.millis(), MAINTAIN_EVERY_MILLIS));
        for (Object o = time.poll(inbox, wait); o != null && running; o = inbox.poll()) {
            handle(o, time.millis());
        }
    }

    private void handle(Object o, long now) {
        if (o instanceof XfrmEvent.SaExpired e) {
            boolean wanted;
            try {
                wanted = isActiveOutbound(e.sa());
            } catch (RuntimeException ex) {
                // cannot tell which generation it belongs to: rekeying once too often is harmless, missing it is not
                book.failed("rekey", ex);
                wanted = true;
            }
            if (wanted && rekeyAt == NEVER) {
                LOG.info(() -> "soft expire of " + e.sa() + " (generation " + trackedGeneration + "); rekeying");
                rekeyAt = now;
                rekeyCause = Cause.SOFT_EXPIRE;
            }
        } else if (o instanceof Failed f && f.sub() == sub) {
            lose(f.sub(), f.error(), now);
        }
    }

    private boolean isActiveOutbound(SaId id) {
        long gen = target.activeGeneration();
        List<PathSa> current = target.installedSas().get(gen);
        return current != null && current.stream().anyMatch(s -> s.outbound() && s.id().equals(id));
    }

    /** The subscription failed: close it, reopen later; soft limits are checked on the timer meanwhile. */
    private void lose(XfrmEvents s, IOException error, long now) {
        LOG.log(Level.WARNING, "xfrm event subscription failed (" + error.getClass().getSimpleName() + ": " + error.getMessage()
                + "); reopening it, housekeeping goes on meanwhile");
        book.detach();
        book.failed("event socket", error);
        sub = null;
        try {
            s.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "closing the failed subscription", e);
        }
        subscribeAt = now + subscribeBackoff.next();
    }

    private void resubscribe(long now) {
        try {
            XfrmEvents s = subscriptions.open();
            if (!running) {
                s.close();
                return;
            }
            attach(s, true);
            subscribeBackoff.reset();
            subscribeAt = NEVER;
            book.succeeded("event socket");
            book.succeeded("subscribe");
            resync = true; // events may have been missed while there was no subscription
            LOG.info("xfrm event subscription reopened");
        } catch (IOException | RuntimeException e) {
            long wait = subscribeBackoff.next();
            LOG.log(Level.WARNING, "reopening the xfrm event subscription failed (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "); retrying in " + wait + " ms");
            book.failed("subscribe", e);
            subscribeAt = now + wait;
        }
    }

    private void rekey(long now) {
        try {
            long gen = trackedGeneration;
            long next = target.rekeyOutbound();
            Cause cause = rekeyCause;
            LOG.info(() -> "rekeyed outbound SAs from generation " + gen + " to " + next + " (" + cause + ")");
            rekeyAt = NEVER;
            rekeyBackoff.reset();
            track(next, time.millis());
            book.rekeyed(next, cause);
            book.succeeded("rekey");
            notifyRekey(next);
        } catch (IOException | RuntimeException ex) {
            long wait = rekeyBackoff.next();
            LOG.log(Level.WARNING, "rekey failed (" + ex.getClass().getSimpleName() + "); retrying in " + wait + " ms", ex);
            book.failed("rekey", ex);
            rekeyAt = now + wait;
        }
    }

    /** Housekeeping, then the check for a soft time limit that passed without a soft EXPIRE. */
    private void maintain(long now) {
        try {
            long before = target.activeGeneration();
            long after = target.maintain(graceMillis);
            if (after != before) {
                LOG.info(() -> "peer moved to generation " + after + "; outbound followed");
                track(after, time.millis());
                book.rekeyed(after, Cause.PEER);
                notifyRekey(after);
            }
            Set<InetAddress> peers = new LinkedHashSet<>();
            for (InetAddress[] p : target.pairs()) {
                peers.add(p[1]);
            }
            book.peers(List.copyOf(peers));
            book.peerGenerations(target.peerGenerations());
            maintainBackoff.reset();
            book.succeeded("maintain");
            maintainAt = now + MAINTAIN_EVERY_MILLIS;
        } catch (IOException | RuntimeException ex) {
            long wait = maintainBackoff.next();
            LOG.log(Level.WARNING, "housekeeping of SA generations failed (" + ex.getClass().getSimpleName() + "); retrying in "
                    + wait + " ms", ex);
            book.failed("maintain", ex);
            maintainAt = now + wait;
        }
        try { // also while housekeeping fails: a rekey may still work
            checkSoftLimit(now);
            book.succeeded("soft-limit check");
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "checking the soft lifetime failed (" + ex.getClass().getSimpleName() + ")", ex);
            book.failed("soft-limit check", ex);
        }
    }

    /**
     * The age of the active generation (counted from when this thread first saw it active, so never
     * more than its SAs' real age) against its outbound SAs' soft time limit. The kernel's soft
     * EXPIRE normally comes first; this catches one lost in an overrun or while unsubscribed.
     */
    private void checkSoftLimit(long now) {
        long gen = target.activeGeneration();
        track(gen, now);
        book.generation(gen);
        long soft = Long.MAX_VALUE;
        long hard = Long.MAX_VALUE;
        for (PathSa s : target.installedSas().getOrDefault(gen, List.of())) {
            if (s.outbound() && s.sa().lifetime().softAddSeconds() > 0) {
                soft = Math.min(soft, s.sa().lifetime().softAddSeconds());
                if (s.sa().lifetime().hardAddSeconds() > 0) {
                    hard = Math.min(hard, s.sa().lifetime().hardAddSeconds());
                }
            }
        }
        if (soft == Long.MAX_VALUE || rekeyAt != NEVER) {
            return;
        }
        long slack = MISSED_SLACK_MILLIS;
        if (hard != Long.MAX_VALUE) {
            slack = Math.min(slack, (hard - soft) * 1000 / 2);
        }
        if (now - trackedSince >= soft * 1000 + slack) {
            LOG.warning("generation " + gen + " outlived its soft lifetime of " + soft + " s without a soft EXPIRE; rekeying");
            rekeyAt = now;
            rekeyCause = Cause.MISSED_EXPIRE;
        }
    }

    private void track(long gen, long now) {
        if (gen != trackedGeneration) {
            trackedGeneration = gen;
            trackedSince = now;
        }
    }

    private void notifyRekey(long gen) {
        try {
            onRekey.accept(gen);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "rekey callback failed (" + e.getClass().getSimpleName() + ")", e);
            book.callbackFailed(e);
        }
    }

    /** Ends the loop (after the current attempt). */
    void stop() {
        running = false;
    }

    /** The current subscription, {@code null} while there is none. */
    XfrmEvents subscription() {
        return sub;
    }
}
