package io.mpsec.ipsec.xfrm;

import io.mpsec.ipsec.xfrm.msg.Acquire;
import io.mpsec.ipsec.xfrm.msg.Expire;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.NetlinkSocket;
import io.mpsec.kernel.netlink.NotificationPump;
import io.mpsec.kernel.netlink.NotificationSource;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A subscription to the xfrm multicast groups XFRMNLGRP_EXPIRE and XFRMNLGRP_ACQUIRE
 * ({@code include/uapi/linux/xfrm.h}), read by a {@link NotificationPump} thread.
 *
 * <p>It survives what an event socket meets in a long-running process: a burst that overflows the
 * receive buffer ({@code ENOBUFS}: counted in {@link #overruns()}, {@link #onOverrun} listeners are
 * told that events were lost, reading goes on), messages that do not decode (counted in
 * {@link #skipped()} and skipped) and subscribers that throw (counted in {@link #callbackFailures()}).
 * Any other receive error ends the subscription: {@link #failure()}, {@link #onFailure}; open a new
 * one with {@link #reopen()}. The receive buffer is {@link NotificationPump#RECEIVE_BUFFER_BYTES}
 * unless {@link #open(NetNamespace, int)} asks for another size.
 *
 * <p>Events go to the {@link #subscribe subscribers} on the reader thread. While there is none they
 * wait in a queue of the newest {@value #QUEUE_CAPACITY} for {@link #next(int)} (older ones are
 * dropped and counted in {@link #dropped()}). Notifications of other types are ignored.
 */
public final class XfrmEvents extends NotificationSource {
    private static final System.Logger LOG = System.getLogger(XfrmEvents.class.getName());
    /** Events kept for {@link #next(int)} while no subscriber takes them. */
    public static final int QUEUE_CAPACITY = 1024;

    /** Opens the netlink connection of a new subscription. */
    private interface Opener {
        NetlinkConnection open() throws IOException;
    }

    private final List<Consumer<XfrmEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final BlockingQueue<XfrmEvent> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong callbackFailures = new AtomicLong();
    private final Opener opener;
    private final int receiveBufferBytes;
    private volatile boolean closed;

    /**
     * A subscription over an existing connection (tests pass one on a fake kernel). It cannot
     * {@link #reopen()} itself.
     */
    public XfrmEvents(NetlinkConnection conn) throws IOException {
        this(conn, null, 0);
    }

    private XfrmEvents(NetlinkConnection conn, Opener opener, int receiveBufferBytes) throws IOException {
        this.opener = opener;
        this.receiveBufferBytes = receiveBufferBytes;
        conn.joinGroup(Xfrm.XFRMNLGRP_EXPIRE);
        conn.joinGroup(Xfrm.XFRMNLGRP_ACQUIRE);
        pump = NotificationPump.start(conn, "mpsec-xfrm-events", this::handle);
        if (receiveBufferBytes > 0 && conn.transport() instanceof NetlinkSocket s) {
            try {
                s.receiveBufferSize(receiveBufferBytes); // after the pump raised it to its default
            } catch (IOException | RuntimeException e) {
                pump.close();
                throw e;
            }
        }
    }

    static XfrmEvents open(NetNamespace ns) throws IOException {
        return open(() -> NetlinkConnection.open(Xfrm.NETLINK_XFRM, ns), 0);
    }

    /**
     * A subscription in {@code ns} ({@code null}: the caller's namespace) whose socket has a receive
     * buffer of {@code receiveBufferBytes} instead of {@link NotificationPump#RECEIVE_BUFFER_BYTES}
     * (SO_RCVBUFFORCE as root, else SO_RCVBUF capped by {@code net.core.rmem_max}; the kernel rounds
     * tiny values up to its minimum, a few KiB). A small buffer loses events in bursts: use it to
     * test overruns. {@link XfrmClient#subscribe()} opens one with the default size.
     */
    public static XfrmEvents open(NetNamespace ns, int receiveBufferBytes) throws IOException {
        if (receiveBufferBytes <= 0) {
            throw new IllegalArgumentException("receive buffer size must be positive, got " + receiveBufferBytes
                    + "; use XfrmClient.subscribe() for the default of " + NotificationPump.RECEIVE_BUFFER_BYTES + " bytes");
        }
        return open(() -> NetlinkConnection.open(Xfrm.NETLINK_XFRM, ns), receiveBufferBytes);
    }

    private static XfrmEvents open(Opener opener, int receiveBufferBytes) throws IOException {
        NetlinkConnection c = opener.open();
        try {
            return new XfrmEvents(c, opener, receiveBufferBytes);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * A new subscription on a new socket like this one (same namespace, same receive buffer), for
     * example after this one failed. This one is left as it is (close it).
     *
     * @throws IOException if the socket cannot be opened, or this subscription was built over a
     *     given connection ({@link #XfrmEvents(NetlinkConnection)}) and does not know how to open one
     */
    public XfrmEvents reopen() throws IOException {
        if (opener == null) {
            throw new IOException("this xfrm event subscription was built over a given connection and cannot reopen "
                    + "itself; open a new one the way the first was opened (for AutoRekey: "
                    + "AutoRekey.builder(paths).subscriptions(xfrmClient::subscribe))");
        }
        return open(opener, receiveBufferBytes);
    }

    /**
     * Delivers every later event to {@code subscriber} on the reader thread. Keep it short: while it
     * runs no notification is read. An exception it throws is logged and counted in
     * {@link #callbackFailures()}; delivery goes on.
     */
    public void subscribe(Consumer<XfrmEvent> subscriber) {
        subscribers.add(subscriber);
    }

    /**
     * The next queued EXPIRE or ACQUIRE event, or {@code null} if none arrives within
     * {@code timeoutMillis} (0: do not wait). Events queue only while there is no subscriber. Use
     * from one thread.
     *
     * @throws IOException when the subscription was closed or its socket failed (and nothing is queued)
     */
    public XfrmEvent next(int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000L;
        while (true) {
            XfrmEvent e = queue.poll();
            if (e != null) {
                return e;
            }
            if (closed) {
                throw new ClosedChannelException();
            }
            IOException f = failure();
            if (f != null) {
                throw new IOException("the xfrm event subscription stopped: " + f.getMessage(), f);
            }
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return null;
            }
            try {
                e = queue.poll(Math.min(left, 100), TimeUnit.MILLISECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for an xfrm event");
            }
            if (e != null) {
                return e;
            }
        }
    }

    /** True once {@link #close()} was called (by anyone). */
    public boolean isClosed() {
        return closed;
    }

    /** Events dropped because the queue for {@link #next(int)} was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Exceptions thrown by subscribers. */
    public long callbackFailures() {
        return callbackFailures.get();
    }

    private void handle(NetlinkMessage m) throws IOException {
        XfrmEvent e;
        if (m.type() == Xfrm.XFRM_MSG_EXPIRE) {
            e = Expire.decode(m);
        } else if (m.type() == Xfrm.XFRM_MSG_ACQUIRE) {
            e = Acquire.decode(m);
        } else {
            return;
        }
        if (subscribers.isEmpty()) {
            while (!queue.offer(e)) {
                if (queue.poll() != null) {
                    dropped.incrementAndGet();
                }
            }
            return;
        }
        for (Consumer<XfrmEvent> s : subscribers) {
            try {
                s.accept(e);
            } catch (RuntimeException ex) {
                long n = callbackFailures.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "xfrm event subscriber failed (" + n + " so far): " + ex, ex);
            }
        }
    }

    /** Stops the reader thread and closes the socket. */
    @Override
    public void close() throws IOException {
        closed = true;
        pump.close();
    }
}
