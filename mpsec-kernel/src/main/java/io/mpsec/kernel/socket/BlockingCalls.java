package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.SocketErrors;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * connect(2) and accept4(2) with blocking semantics on a non-blocking descriptor held by the caller:
 * they wait with poll(2) through {@link FdHandle#await}, so timeouts and a concurrent close work.
 */
final class BlockingCalls {
    private BlockingCalls() {
    }

    /** Connects {@code fd} to {@code sockaddr} ({@code target} names it in messages); timeout 0 = none. */
    static void connect(FdHandle h, int fd, byte[] sockaddr, String target, int timeout) throws IOException {
        if (Syscalls.libc().connect(fd, sockaddr, sockaddr.length) == 0) {
            return;
        }
        int e = Syscalls.errno();
        if (e != Errno.EINPROGRESS && e != Errno.EINTR) {
            throw SocketErrors.connect("connect(" + target + ")", e);
        }
        if (h.await(fd, Syscalls.POLLOUT, timeout > 0 ? timeout : -1) == 0) {
            throw new SocketTimeoutException("Connect timed out"); // the JDK's text, exactly
        }
        int err = Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_ERROR, "SO_ERROR");
        if (err != 0) {
            throw SocketErrors.connect("connect(" + target + ")", err);
        }
    }

    /**
     * Accepts one connection on the listening {@code fd}; the peer address goes to {@code sockaddr}
     * and its length to {@code len[0]}. Returns the new non-blocking, close-on-exec descriptor.
     */
    static int accept(FdHandle h, int fd, byte[] sockaddr, int[] len, Deadline deadline) throws IOException {
        int capacity = len[0];
        while (true) {
            len[0] = capacity;
            int nfd = Syscalls.libc().accept4(fd, sockaddr, len, Syscalls.SOCK_NONBLOCK | Syscalls.SOCK_CLOEXEC);
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
