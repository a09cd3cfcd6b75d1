package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.SocketErrors;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.net.SocketException;

/**
 * connect(2) and accept4(2) with blocking semantics on a descriptor held by the caller, made
 * non-blocking for the call: they wait with poll(2) through {@link FdHandle#await}, so timeouts and a
 * concurrent close work.
 */
final class BlockingCalls {
    private BlockingCalls() {
    }

    /** Connects {@code fd} to {@code sockaddr} ({@code target} names it in messages); timeout 0 = none. */
    static void connect(FdHandle h, int fd, byte[] sockaddr, String target, int timeout) throws IOException {
        if (h.nonBlocking(fd, timeout > 0)) {
            connectNonBlocking(h, fd, sockaddr, target, timeout);
            return;
        }
        // Untimed on a platform thread: the socket stays blocking for its reads and writes, but the
        // connect itself runs non-blocking with poll, the path whose wake-up on close is proven; the
        // descriptor is nobody else's yet, so the flag can go back.
        Syscalls.setNonBlocking(fd, true);
        try {
            connectNonBlocking(h, fd, sockaddr, target, timeout);
        } finally {
            if (!h.isClosed()) {
                Syscalls.setNonBlocking(fd, false);
            }
        }
    }

    private static void connectNonBlocking(FdHandle h, int fd, byte[] sockaddr, String target, int timeout)
            throws IOException {
        if (Syscalls.libc().connect(fd, sockaddr, sockaddr.length) == 0) {
            return;
        }
        int e = Syscalls.errno();
        if (e != Errno.EINPROGRESS && e != Errno.EINTR) {
            throw SocketErrors.connect("connect(" + target + ")", e);
        }
        Deadline deadline = Deadline.after(timeout);
        boolean parks = VirtualThreads.current();
        // 0 is a timeout (the next remainingMillis throws the JDK's text, exactly); a virtual thread
        // confirms a wake-up with poll(2), as a stale event may have woken it (see Poller)
        while (h.await(fd, Syscalls.POLLOUT, deadline.remainingMillis("Connect timed out")) == 0
                || (parks && Syscalls.poll(fd, Syscalls.POLLOUT, 0) == 0)) {
            continue;
        }
        int err = Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_ERROR, "SO_ERROR");
        if (err != 0) {
            throw SocketErrors.connect("connect(" + target + ")", err);
        }
    }

    /**
     * Accepts one connection on the listening {@code fd}; the peer address goes to {@code sockaddr}
     * and its length to {@code len[0]}. Returns the new close-on-exec descriptor, in blocking mode (see
     * {@link FdHandle#nonBlocking}). The listening descriptor is switched to non-blocking mode.
     */
    static int accept(FdHandle h, int fd, byte[] sockaddr, int[] len, Deadline deadline) throws IOException {
        int capacity = len[0];
        h.nonBlocking(fd, true);
        while (true) {
            len[0] = capacity;
            int nfd = Syscalls.libc().accept4(fd, sockaddr, len, Syscalls.SOCK_CLOEXEC);
            if (nfd >= 0) {
                return nfd;
            }
            int e = Syscalls.errno();
            if (h.isClosed()) {
                throw new SocketException("Socket closed");
            }
            if (e == Errno.ECONNABORTED || e == Errno.EINTR) {
                continue;
            }
            if (e != Errno.EAGAIN) {
                throw SocketErrors.connect("accept", e);
            }
            h.await(fd, Syscalls.POLLIN, deadline.remainingMillis("Accept timed out"));
        }
    }
}
