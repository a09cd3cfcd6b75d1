package io.mpsec.kernel.pm;

import io.mpsec.kernel.genl.GenlFamily;
import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.NotificationPump;
import io.mpsec.kernel.netlink.NotificationSource;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.pm.MissingKernelFeatureException;
import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Receives the MPTCP path-manager events of one namespace ({@code mptcp_pm_events} multicast group),
 * on its own netlink socket and its own daemon thread, and hands each decoded {@link PmEvent} to the
 * subscribers. {@link #forToken(long, Consumer)} joins a socket to its events through its token
 * ({@code socket.connectionInfo().token()}).
 *
 * <p>Also usable without a thread: {@link #poll(long, TimeUnit)} returns events from a bounded queue.
 *
 * <p>The listener survives event bursts that overflow the socket buffer (the loss is counted in
 * {@link #overruns()} and reported to {@link #onOverrun}) and skips messages that do not decode
 * ({@link #skipped()}). Any other receive error stops it: {@link #failure()} and {@link #onFailure}.
 */
public final class PmEventListener extends NotificationSource {
    /** At most this many events wait in the {@link #poll} queue; older ones are dropped (and counted). */
    public static final int QUEUE_CAPACITY = 4096;

    private final int familyId;
    private final BlockingQueue<PmEvent> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final java.util.List<Consumer<PmEvent>> subscribers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean queueing = true;

    private PmEventListener(int familyId) {
        this.familyId = familyId;
    }

    /** Subscribes to the events of namespace {@code ns} ({@code null}: this process's namespace) and starts the thread. */
    public static PmEventListener open(NetNamespace ns) throws IOException {
        NetlinkConnection c = NetlinkConnection.open(Netlink.NETLINK_GENERIC, ns);
        try {
            return start(c, ns == null ? "init" : ns.name());
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Subscribes over an existing connection (a real socket or a fake kernel) and starts the thread. */
    public static PmEventListener start(NetlinkConnection c, String name) throws IOException {
        GenlFamily f = MptcpPathManager.over(c).family();
        int group = f.group(MptcpPmUapi.GROUP_EVENTS).orElseThrow(() -> new MissingKernelFeatureException(
                "MPTCP path-manager events (multicast group mptcp_pm_events)", "Linux 5.12+",
                "family mptcp_pm has groups " + f.groups().keySet()));
        c.joinGroup(group);
        PmEventListener l = new PmEventListener(f.id());
        l.pump = NotificationPump.start(c, "mpsec-pm-events-" + name, l::handle);
        return l;
    }

    /** Calls {@code subscriber} for every event, on the listener thread (keep it short). */
    public void subscribe(Consumer<PmEvent> subscriber) {
        subscribers.add(subscriber);
    }

    public void unsubscribe(Consumer<PmEvent> subscriber) {
        subscribers.remove(subscriber);
    }

    /** Calls {@code subscriber} for the events of connection {@code token} only; returns the installed consumer for unsubscribe. */
    public Consumer<PmEvent> forToken(long token, Consumer<PmEvent> subscriber) {
        Consumer<PmEvent> c = e -> {
            if (e.token() == token) {
                subscriber.accept(e);
            }
        };
        subscribe(c);
        return c;
    }

    /**
     * Joins an {@link io.mpsec.MpsecSocket} to its events: calls {@code subscriber} for the events of
     * the socket's MPTCP connection (its token from {@code socket.connectionInfo().token()}).
     * The listener must watch the namespace the socket lives in.
     *
     * @throws IOException when the socket is not connected or did not negotiate MPTCP (no token)
     */
    public Consumer<PmEvent> forSocket(io.mpsec.MpsecSocket socket, Consumer<PmEvent> subscriber) throws IOException {
        long token = socket.connectionInfo().token();
        if (token == 0) {
            throw new IOException("socket " + socket + " has no MPTCP token (not connected, or fell back to TCP)");
        }
        return forToken(token, subscriber);
    }

    /**
     * The next event, or {@code null} after the timeout. Every event is queued (unless
     * {@link #subscribersOnly()} was called); the queue holds at most {@link #QUEUE_CAPACITY}
     * events: when the caller falls behind, the oldest are dropped and counted in {@link #dropped()}.
     *
     * @throws IOException the error that stopped the listener, once the queue is empty
     */
    public PmEvent poll(long timeout, TimeUnit unit) throws IOException, InterruptedException {
        if (!queueing) {
            throw new IllegalStateException("this listener delivers to subscribers only (subscribersOnly() was called)");
        }
        PmEvent e = queue.poll(timeout, unit);
        IOException f = failure();
        if (e == null && f != null) {
            throw f;
        }
        return e;
    }

    /**
     * Stops queueing events for {@link #poll} and empties the queue: for long-running users that
     * only {@link #subscribe}, so no event is kept after delivery.
     */
    public void subscribersOnly() {
        queueing = false;
        queue.clear();
    }

    /** Events dropped from the full {@link #poll} queue. */
    public long dropped() {
        return dropped.get();
    }

    private void handle(NetlinkMessage m) throws IOException {
        if (m.type() != familyId) {
            return;
        }
        PmEvent e = PmEvents.decode(m);
        if (queueing) {
            while (!queue.offer(e)) {
                if (queue.poll() != null) {
                    dropped.incrementAndGet();
                }
            }
        }
        for (Consumer<PmEvent> s : subscribers) {
            try {
                s.accept(e);
            } catch (RuntimeException ex) {
                // A faulty subscriber must not stop event delivery to the others.
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, ex);
            }
        }
    }

    @Override
    public void close() throws IOException {
        pump.close();
    }
}
