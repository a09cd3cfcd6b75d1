package io.mpsec.kernel.pm;

import io.mpsec.kernel.genl.GenlFamily;
import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.pm.MissingKernelFeatureException;
import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Receives the MPTCP path-manager events of one namespace ({@code mptcp_pm_events} multicast group),
 * on its own netlink socket and its own daemon thread, and hands each decoded {@link PmEvent} to the
 * subscribers. {@link #forToken(long, Consumer)} joins a socket to its events through its token
 * ({@code socket.connectionInfo().token()}).
 *
 * <p>Also usable without a thread: {@link #poll(long, TimeUnit)} returns events from a queue.
 */
public final class PmEventListener implements AutoCloseable {
    private final NetlinkConnection conn;
    private final int familyId;
    private final BlockingQueue<PmEvent> queue = new LinkedBlockingQueue<>();
    private final java.util.List<Consumer<PmEvent>> subscribers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;
    private volatile IOException failure;

    private PmEventListener(NetlinkConnection conn, int familyId, String name) {
        this.conn = conn;
        this.familyId = familyId;
        this.thread = new Thread(this::loop, "mpsec-pm-events-" + name);
        this.thread.setDaemon(true);
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
        PmEventListener l = new PmEventListener(c, f.id(), name);
        l.thread.start();
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

    /** The next event from the queue (every event is queued as well), or {@code null} after the timeout. */
    public PmEvent poll(long timeout, TimeUnit unit) throws IOException, InterruptedException {
        PmEvent e = queue.poll(timeout, unit);
        if (e == null && failure != null) {
            throw failure;
        }
        return e;
    }

    /** The receive error that stopped the thread, or {@code null}. */
    public IOException failure() {
        return failure;
    }

    private void loop() {
        while (!closed.get()) {
            try {
                NetlinkMessage m = conn.nextNotification(200);
                if (m == null || m.type() != familyId) {
                    continue;
                }
                PmEvent e = PmEvents.decode(m);
                queue.add(e);
                for (Consumer<PmEvent> s : subscribers) {
                    try {
                        s.accept(e);
                    } catch (RuntimeException ex) {
                        // A faulty subscriber must not stop event delivery to the others.
                        Thread t = Thread.currentThread();
                        t.getUncaughtExceptionHandler().uncaughtException(t, ex);
                    }
                }
            } catch (IOException ex) {
                if (!closed.get()) {
                    failure = ex;
                }
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            conn.close();
        }
    }
}
