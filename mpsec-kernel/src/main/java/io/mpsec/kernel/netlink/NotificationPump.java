package io.mpsec.kernel.netlink;

import io.mpsec.NativeIoException;
import io.mpsec.kernel.ffi.Errno;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Reads the multicast notifications of one {@link NetlinkConnection} on a daemon thread and hands
 * each message to a handler, surviving what an event stream in a long-running process meets:
 * <ul>
 *   <li>{@code ENOBUFS}: the socket's receive buffer overflowed during a burst and notifications
 *       were lost. The loss is counted ({@link #overruns()}), the overrun listeners are told (so they
 *       can re-read the state they track) and reading continues.</li>
 *   <li>A message that does not decode ({@link NetlinkFormatException} or a runtime exception from
 *       the handler's decoder): counted ({@link #skipped()}) and skipped.</li>
 *   <li>Any other receive error ends the thread: it is kept as {@link #failure()} and given to the
 *       failure listeners, so a user of the events learns that no more will come.</li>
 * </ul>
 */
public final class NotificationPump implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NotificationPump.class.getName());
    /** Receive buffer asked for on real sockets: room for thousands of small event messages. */
    public static final int RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

    /** Decodes and delivers one notification. */
    public interface Handler {
        void handle(NetlinkMessage m) throws IOException;
    }

    private final NetlinkConnection conn;
    private final Handler handler;
    private final String name;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong overruns = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final List<Runnable> overrunListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<IOException>> failureListeners = new CopyOnWriteArrayList<>();
    private volatile IOException failure;

    private NotificationPump(NetlinkConnection conn, String name, Handler handler) {
        this.conn = conn;
        this.handler = handler;
        this.name = name;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    /**
     * Starts a thread named {@code threadName} reading {@code conn}. On a real socket the receive
     * buffer is raised to {@link #RECEIVE_BUFFER_BYTES} first (best effort: logged when refused).
     */
    public static NotificationPump start(NetlinkConnection conn, String threadName, Handler handler) {
        if (conn.transport() instanceof NetlinkSocket s) {
            try {
                s.receiveBufferSize(RECEIVE_BUFFER_BYTES);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, threadName + ": could not raise the receive buffer: " + e.getMessage());
            }
        }
        NotificationPump p = new NotificationPump(conn, threadName, handler);
        p.thread.start();
        return p;
    }

    /** True when {@code e} reports a receive-buffer overflow ({@code ENOBUFS} from recvfrom). */
    public static boolean isOverrun(IOException e) {
        return e instanceof NativeIoException n && n.errno() == Errno.ENOBUFS;
    }

    /** Called on the pump thread after each overrun (notifications were lost). */
    public void onOverrun(Runnable listener) {
        overrunListeners.add(listener);
    }

    /** Called once when the thread ends on an error; at once if it already did. */
    public void onFailure(Consumer<IOException> listener) {
        failureListeners.add(listener);
        IOException f = failure;
        if (f != null && failureListeners.remove(listener)) {
            listener.accept(f);
        }
    }

    /** How many times the kernel reported lost notifications (ENOBUFS). */
    public long overruns() {
        return overruns.get();
    }

    /** How many notifications were skipped because they did not decode. */
    public long skipped() {
        return skipped.get();
    }

    /** The error that stopped the thread, or {@code null} while it runs (or after a clean close). */
    public IOException failure() {
        return failure;
    }

    private void loop() {
        while (!closed.get()) {
            NetlinkMessage m;
            try {
                m = conn.nextNotification(200);
            } catch (NetlinkFormatException ex) {
                skip(ex);
                continue;
            } catch (IOException ex) {
                if (closed.get()) {
                    return;
                }
                if (isOverrun(ex)) {
                    overrun();
                    continue;
                }
                fail(ex);
                return;
            }
            if (m == null) {
                continue;
            }
            try {
                handler.handle(m);
            } catch (IOException | RuntimeException ex) {
                skip(ex);
            }
        }
    }

    private void skip(Exception ex) {
        long n = skipped.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, name + ": skipped an undecodable notification (" + n + " so far): " + ex.getMessage());
    }

    private void overrun() {
        long n = overruns.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, name + ": receive buffer overflowed (ENOBUFS), notifications were lost ("
                + n + " overruns so far); resynchronising");
        for (Runnable r : overrunListeners) {
            try {
                r.run();
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, name + ": overrun listener failed: " + ex.getMessage(), ex);
            }
        }
    }

    private void fail(IOException ex) {
        failure = ex;
        LOG.log(System.Logger.Level.ERROR, name + ": stopped, no more notifications will be delivered: " + ex.getMessage(), ex);
        for (Consumer<IOException> l : failureListeners) {
            if (failureListeners.remove(l)) {
                try {
                    l.accept(ex);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, name + ": failure listener failed: " + e.getMessage(), e);
                }
            }
        }
    }

    /** Stops the thread (waiting up to 2 s) and closes the connection. */
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
