package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns one file descriptor and closes it exactly once, without a window in which a thread could
 * touch a reused descriptor number.
 *
 * <p>Every operation brackets its syscalls with {@link #acquire()} / {@link #release()}. {@link #close()}
 * marks the handle closed and, when operations are in flight, calls {@code shutdown(SHUT_RDWR)} to
 * wake them (their poll returns HUP); the descriptor is closed by whichever of {@code close} and the
 * last {@code release} comes last. Until then the number stays allocated, so it cannot be reused.
 *
 * <p>Blocking mode: the descriptor starts blocking and becomes non-blocking when a call needs
 * poll-based waiting ({@link #nonBlocking(int, boolean)}). A platform thread blocked in recv, send,
 * accept or connect on a blocking descriptor is woken by the same {@code shutdown(SHUT_RDWR)}.
 *
 * <p>Waiting ({@link #await}, non-blocking mode only): a platform thread blocks in {@code poll(2)}; a virtual thread parks
 * through the {@link Poller}, releasing its carrier. As for the JDK's sockets, interrupting a virtual
 * thread that waits closes the socket and throws {@code SocketException("Closed by interrupt")};
 * platform threads ignore interrupts, as {@code java.net.Socket} does.
 */
final class FdHandle {
    private static final int CLOSED = 1 << 31;

    static final String CLOSED_BY_INTERRUPT = "Closed by interrupt";
    /** {@link #inPoller} bit: the descriptor is in the read poller's epoll set. */
    static final int READ_POLLER = 1;
    /** {@link #inPoller} bit: the descriptor is in the write poller's epoll set. */
    static final int WRITE_POLLER = 2;

    private final int fd;
    /** Bit 31: closed. Bits 0-30: operations in flight. */
    private final AtomicInteger state = new AtomicInteger();
    /** Whether O_NONBLOCK is set; it is set at most once and never cleared (see {@link #nonBlocking(int, boolean)}). */
    private volatile boolean nonBlocking;
    /**
     * Whether the read / write {@link Poller}'s epoll set holds the descriptor; each is changed only
     * by its poller, inside that poller's per-descriptor compute, and read by the final close.
     */
    private volatile boolean inReadPoller;
    private volatile boolean inWritePoller;

    /** Owns the non-blocking descriptor {@code fd}. */
    FdHandle(int fd) {
        this(fd, true);
    }

    /**
     * Owns {@code fd}, which is in blocking mode unless {@code nonBlocking}. The handle holds no
     * reference to the socket that uses it, so a socket's Cleaner can close a handle whose socket
     * became unreachable.
     */
    FdHandle(int fd, boolean nonBlocking) {
        this.fd = fd;
        this.nonBlocking = nonBlocking;
    }

    /**
     * Whether {@code fd} (held by the caller) is in non-blocking mode, after switching it there if
     * this call needs it: a {@code timed} call or a virtual thread. As in the JDK's own socket
     * implementation, a socket used only by platform threads without timeouts stays blocking, so a
     * read with nothing queued is one blocking {@code recv(2)} (not recv, poll, recv); the first
     * timed or virtual-thread call switches it, once and for good. A thread already blocked in a
     * syscall keeps blocking (the kernel read the flag on entry); its next call sees the new mode.
     */
    boolean nonBlocking(int fd, boolean timed) throws IOException {
        if (nonBlocking || !(timed || VirtualThreads.current())) {
            return nonBlocking;
        }
        synchronized (this) {
            if (!nonBlocking) {
                Syscalls.setNonBlocking(fd, true);
                nonBlocking = true;
            }
        }
        return true;
    }

    /** Whether the descriptor is in non-blocking mode now. */
    boolean isNonBlocking() {
        return nonBlocking;
    }

    /** The descriptor number; only meaningful between acquire and release. */
    int fd() {
        return fd;
    }

    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /**
     * What an operation should throw for {@code e}: a plain "Socket closed" when the failure was
     * caused by a concurrent close (the shutdown that woke the operation), else {@code e} itself.
     */
    SocketException closedOr(SocketException e) {
        if (isClosed() && !"Socket closed".equals(e.getMessage()) && !CLOSED_BY_INTERRUPT.equals(e.getMessage())) {
            SocketException closed = new SocketException("Socket closed");
            closed.addSuppressed(e);
            return closed;
        }
        return e;
    }

    /**
     * Waits until {@code fd} (held by the caller) is ready for {@code events} or {@code waitMillis}
     * pass (-1 = forever); a close meanwhile ends the wait with "Socket closed". Returns the revents,
     * 0 on timeout. Platform threads block in poll(2), virtual threads park (see {@link Poller}).
     * Only for a descriptor in non-blocking mode ({@link #nonBlocking(int, boolean)}).
     */
    int await(int fd, short events, int waitMillis) throws IOException {
        int revents;
        if (VirtualThreads.current()) {
            revents = Poller.await(this, fd, events, waitMillis);
            if (Thread.currentThread().isInterrupted()) {
                close(); // the socket reports itself closed from now on (MptcpSocketImpl.isClosed)
                throw new SocketException(CLOSED_BY_INTERRUPT);
            }
        } else {
            revents = Syscalls.poll(fd, events, waitMillis);
        }
        if (isClosed()) {
            throw new SocketException("Socket closed");
        }
        return revents;
    }

    /** Whether the poller {@code bit} ({@link #READ_POLLER}, {@link #WRITE_POLLER}) has the descriptor in its epoll set. */
    boolean inPoller(int bit) {
        return bit == READ_POLLER ? inReadPoller : inWritePoller;
    }

    /** Called by the poller {@code bit} when it adds or removes the descriptor. */
    void inPoller(int bit, boolean member) {
        if (bit == READ_POLLER) {
            inReadPoller = member;
        } else {
            inWritePoller = member;
        }
    }

    /** Registers an operation; throws "Socket closed" when the handle is closed. */
    int acquire() throws SocketException {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                throw new SocketException("Socket closed");
            }
            if (state.compareAndSet(s, s + 1)) {
                return fd;
            }
        }
    }

    /** Ends an operation; closes the descriptor if the handle was closed meanwhile and this was the last one. */
    void release() {
        int s = state.decrementAndGet();
        if (s == CLOSED) {
            if (inReadPoller || inWritePoller) {
                Poller.forget(this, fd); // out of the epoll sets before the number can be reused
            }
            Syscalls.closeQuietly(fd);
        }
    }

    /**
     * Closes the handle. Returns false if it was already closed. In-flight operations are woken with
     * shutdown(2) and the descriptor is closed when the last of them releases it.
     */
    boolean close() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            // close holds a reference of its own while it wakes the others, so the number cannot be
            // released (and reused) between the state change and the shutdown call
            if (state.compareAndSet(s, (s | CLOSED) + 1)) {
                if (s != 0) {
                    // wakes threads blocked in poll on this fd; the number stays allocated until they leave
                    Syscalls.libc().shutdown(fd, Syscalls.SHUT_RDWR);
                }
                release();
                return true;
            }
        }
    }
}
