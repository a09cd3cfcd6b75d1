package io.mpsec.kernel.ffi;

import java.io.IOException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Checked wrappers around {@link LibC}. Each wrapper reads errno immediately after the call (JNR saves
 * it per thread with {@code @SaveError}), and turns a failure into the exception chosen by
 * {@link Errors}. EINTR is retried for calls that are safe to restart, never for {@code close}.
 *
 * <p>Loading libc can fail (no JNR native stub for the platform); {@link #loadError()} then says why
 * and every call throws {@link UnsatisfiedLinkError} with that cause.
 */
public final class Syscalls {
    // <bits/socket.h>, <linux/socket.h>
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 04000;
    public static final int SOCK_CLOEXEC = 02000000;
    // <netinet/in.h>; IPPROTO_MPTCP from include/uapi/linux/in.h (Linux 5.6+)
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_MPTCP = 262;
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;
    // <bits/socket.h>: send(2)/recv(2) flags
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    // <asm-generic/fcntl.h>
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int O_RDONLY = 0;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    // <asm-generic/ioctls.h>
    public static final long FIONREAD = 0x541B;
    // <sched.h>
    public static final int CLONE_NEWNET = 0x40000000;
    // <poll.h>
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;

    private static final LibC LIBC;
    private static final Runtime RUNTIME;
    private static final Throwable LOAD_ERROR;

    static {
        LibC lib = null;
        Runtime rt = null;
        Throwable error = null;
        try {
            lib = LibraryLoader.create(LibC.class).load("c");
            rt = Runtime.getRuntime(lib);
        } catch (Throwable t) {
            error = t;
        }
        LIBC = lib;
        RUNTIME = rt;
        LOAD_ERROR = error;
    }

    private Syscalls() {
    }

    /** Why libc could not be bound, or {@code null} when it was. */
    public static Throwable loadError() {
        return LOAD_ERROR;
    }

    /** The raw binding, for the few callers that handle errno themselves. */
    public static LibC libc() {
        if (LIBC == null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError("MPSec could not bind libc through JNR-FFI: " + LOAD_ERROR);
            e.initCause(LOAD_ERROR);
            throw e;
        }
        return LIBC;
    }

    /** The JNR runtime (memory allocation). */
    public static Runtime runtime() {
        libc();
        return RUNTIME;
    }

    /** errno of the last call made through {@link LibC} on this thread. */
    public static int errno() {
        return RUNTIME.getLastError();
    }

    public static String strerror(int errno) {
        if (LIBC == null) {
            return "errno " + errno;
        }
        String s = LIBC.strerror(errno);
        return s == null ? "errno " + errno : s;
    }

    /** {@code socket(2)}, always with SOCK_CLOEXEC. */
    public static int socket(int domain, int type, int protocol) throws IOException {
        int fd = libc().socket(domain, type | SOCK_CLOEXEC, protocol);
        if (fd < 0) {
            throw Errors.newException("socket", errno());
        }
        return fd;
    }

    /** Returns -errno instead of throwing, for callers that probe. */
    public static int socketOrErrno(int domain, int type, int protocol) {
        int fd = libc().socket(domain, type | SOCK_CLOEXEC, protocol);
        return fd < 0 ? -errno() : fd;
    }

    public static void bind(int fd, byte[] addr, String what) throws IOException {
        if (libc().bind(fd, addr, addr.length) < 0) {
            throw Errors.newException("bind(" + what + ")", errno());
        }
    }

    public static void listen(int fd, int backlog) throws IOException {
        if (libc().listen(fd, backlog) < 0) {
            throw Errors.newException("listen", errno());
        }
    }

    public static void setsockopt(int fd, int level, int opt, byte[] value, String name) throws IOException {
        if (libc().setsockopt(fd, level, opt, value, value.length) < 0) {
            throw Errors.newException("setsockopt(" + name + ")", errno());
        }
    }

    public static void setsockoptInt(int fd, int level, int opt, int value, String name) throws IOException {
        setsockopt(fd, level, opt, Bytes.intLE(value), name);
    }

    /**
     * {@code getsockopt(2)} into a buffer of {@code capacity} bytes. Returns the bytes the kernel
     * wrote ({@code optlen} on return), which for growing structs may be shorter than requested.
     */
    public static byte[] getsockopt(int fd, int level, int opt, int capacity, String name) throws IOException {
        byte[] buf = new byte[capacity];
        int[] len = {capacity};
        if (libc().getsockopt(fd, level, opt, buf, len) < 0) {
            throw Errors.newException("getsockopt(" + name + ")", errno());
        }
        if (len[0] >= capacity) {
            return buf;
        }
        byte[] out = new byte[len[0]];
        System.arraycopy(buf, 0, out, 0, len[0]);
        return out;
    }

    public static int getsockoptInt(int fd, int level, int opt, String name) throws IOException {
        byte[] b = getsockopt(fd, level, opt, 4, name);
        if (b.length < 4) {
            throw new IOException("getsockopt(" + name + ") returned " + b.length + " bytes, expected 4");
        }
        return Bytes.intLE(b, 0);
    }

    public static int getFlags(int fd) throws IOException {
        int flags = libc().fcntl(fd, F_GETFL, 0);
        if (flags < 0) {
            throw Errors.newException("fcntl(F_GETFL)", errno());
        }
        return flags;
    }

    public static void setNonBlocking(int fd, boolean nonBlocking) throws IOException {
        int flags = getFlags(fd);
        int updated = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (updated != flags && libc().fcntl(fd, F_SETFL, updated) < 0) {
            throw Errors.newException("fcntl(F_SETFL)", errno());
        }
    }

    /**
     * Closes {@code fd} exactly once. EINTR is not retried: on Linux the descriptor is released even
     * when close reports EINTR, and retrying could close a descriptor another thread just opened.
     */
    public static void close(int fd) throws IOException {
        if (libc().close(fd) < 0) {
            int e = errno();
            if (e != Errno.EINTR) {
                throw Errors.newException("close", e);
            }
        }
    }

    /** Like {@link #close} but never throws; for cleanup paths that already carry an exception. */
    public static void closeQuietly(int fd) {
        if (fd >= 0 && LIBC != null) {
            LIBC.close(fd);
        }
    }

    /**
     * {@code poll(2)} on one descriptor. Returns the revents, or 0 on timeout. EINTR is retried with
     * the remaining time.
     */
    public static int poll(int fd, int events, int timeoutMillis) throws IOException {
        byte[] pfd = new byte[8];
        Bytes.putIntLE(pfd, 0, fd);
        Bytes.putShortLE(pfd, 4, (short) events);
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
        int remaining = timeoutMillis;
        while (true) {
            pfd[6] = 0;
            pfd[7] = 0;
            int n = libc().poll(pfd, 1, remaining);
            if (n >= 0) {
                return n == 0 ? 0 : Bytes.shortLE(pfd, 6) & 0xffff;
            }
            int e = errno();
            if (e != Errno.EINTR) {
                throw Errors.newException("poll", e);
            }
            if (timeoutMillis > 0) {
                remaining = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            }
        }
    }

    /** {@code read(2)}; returns bytes read, 0 at EOF, or {@code -EAGAIN}. EINTR is retried. */
    public static long read(int fd, Pointer buf, long count) throws IOException {
        return transfer("read", () -> libc().read(fd, buf, count));
    }

    /** {@code write(2)}; returns bytes written or {@code -EAGAIN}. EINTR is retried. */
    public static long write(int fd, Pointer buf, long count) throws IOException {
        return transfer("write", () -> libc().write(fd, buf, count));
    }

    /**
     * {@code send(fd, buf, len, MSG_NOSIGNAL)} from {@code buf}'s position (heap or direct buffer; no
     * copy). Returns the bytes sent or {@code -EAGAIN}; EINTR is retried; a reset peer gives an
     * exception, never SIGPIPE. Failures are the JDK's exceptions ({@link SocketErrors#write}).
     * A heap {@code buf} needs a non-blocking {@code fd} or MSG_DONTWAIT (see {@link LibC#send}).
     */
    public static long send(int fd, java.nio.ByteBuffer buf, long len) throws IOException {
        return send(fd, buf, len, 0);
    }

    /**
     * Like {@link #send(int, java.nio.ByteBuffer, long)} with extra {@code flags} (MSG_NOSIGNAL is
     * always added). {@code MSG_DONTWAIT} makes one call non-blocking on a blocking descriptor, which
     * is what a heap buffer needs (see {@link LibC#send}).
     */
    public static long send(int fd, java.nio.ByteBuffer buf, long len, int flags) throws IOException {
        LibC c = libc();
        while (true) {
            long n = c.send(fd, buf, len, MSG_NOSIGNAL | flags);
            if (n >= 0) {
                return n;
            }
            int e = errno();
            if (e == Errno.EAGAIN) {
                return -Errno.EAGAIN;
            }
            if (e != Errno.EINTR) {
                throw SocketErrors.write("send", e);
            }
        }
    }

    /**
     * {@code recv(fd, buf, len, 0)} into {@code buf}'s position (no copy). Returns the bytes read, 0
     * at end of stream, or {@code -EAGAIN}; EINTR is retried. Failures are the JDK's exceptions
     * ({@link SocketErrors#read}). A heap {@code buf} needs a non-blocking {@code fd} or MSG_DONTWAIT.
     */
    public static long recv(int fd, java.nio.ByteBuffer buf, long len) throws IOException {
        return recv(fd, buf, len, 0);
    }

    /** Like {@link #recv(int, java.nio.ByteBuffer, long)} with {@code flags} (e.g. MSG_DONTWAIT). */
    public static long recv(int fd, java.nio.ByteBuffer buf, long len, int flags) throws IOException {
        LibC c = libc();
        while (true) {
            long n = c.recv(fd, buf, len, flags);
            if (n >= 0) {
                return n;
            }
            int e = errno();
            if (e == Errno.EAGAIN) {
                return -Errno.EAGAIN;
            }
            if (e != Errno.EINTR) {
                throw SocketErrors.read("recv", e);
            }
        }
    }

    /**
     * {@code recv(2)} that returns the bytes read, or {@code -errno} instead of throwing (EINTR is
     * retried): for callers that tell an unsupported flag from a socket error themselves.
     */
    public static long tryRecv(int fd, java.nio.ByteBuffer buf, long len, int flags) {
        LibC c = libc();
        while (true) {
            long n = c.recv(fd, buf, len, flags);
            if (n >= 0) {
                return n;
            }
            int e = errno();
            if (e != Errno.EINTR) {
                return -e;
            }
        }
    }

    /** Runs a read/write-style call: retries EINTR, returns -EAGAIN, throws other errors. */
    private static long transfer(String call, java.util.function.LongSupplier syscall) throws IOException {
        while (true) {
            long n = syscall.getAsLong();
            if (n >= 0) {
                return n;
            }
            int e = errno();
            if (e == Errno.EAGAIN) {
                return -Errno.EAGAIN;
            }
            if (e != Errno.EINTR) {
                throw Errors.newException(call, e);
            }
        }
    }

    /**
     * {@code sendto(2)} of the first {@code len} bytes of a native buffer; returns the bytes sent or
     * {@code -errno} (the caller decides about EINTR and EAGAIN).
     */
    public static long sendto(int fd, NativeBuffer buf, int len, int flags, byte[] addr) {
        long n = libc().sendto(fd, buf.pointer(), len, flags, addr, addr.length);
        return n >= 0 ? n : -errno();
    }

    /**
     * {@code recvfrom(2)} into a native buffer; returns the datagram length (with MSG_TRUNC possibly
     * more than {@code len}) or {@code -errno}. {@code addr}/{@code addrLen} receive the sender.
     */
    public static long recvfrom(int fd, NativeBuffer buf, int len, int flags, byte[] addr, int[] addrLen) {
        long n = libc().recvfrom(fd, buf.pointer(), len, flags, addr, addrLen);
        return n >= 0 ? n : -errno();
    }

    /**
     * CPU time (user + system) of the whole process, all threads, in nanoseconds, from
     * {@code getrusage(RUSAGE_SELF)} (microsecond resolution; the JDK's process CPU time counts clock
     * ticks of 10 ms).
     */
    public static long processCpuNanos() throws IOException {
        long[] t = processCpuTimes();
        return t[0] + t[1];
    }

    /** {@code {user, system}} CPU time of the whole process in nanoseconds ({@code getrusage(RUSAGE_SELF)}). */
    public static long[] processCpuTimes() throws IOException {
        long[] ru = new long[18];
        if (libc().getrusage(0 /* RUSAGE_SELF */, ru) < 0) {
            throw Errors.newException("getrusage", errno());
        }
        return new long[] {ru[0] * 1_000_000_000L + ru[1] * 1_000L, ru[2] * 1_000_000_000L + ru[3] * 1_000L};
    }

    /** The CPUs the calling thread may run on ({@code sched_getaffinity}), as a bit mask of CPUs 0-1023. */
    public static long[] threadAffinity() throws IOException {
        long[] mask = new long[16];
        if (libc().sched_getaffinity(0, mask.length * 8L, mask) < 0) {
            throw Errors.newException("sched_getaffinity", errno());
        }
        return mask;
    }

    /** Restricts the calling thread to the CPUs in {@code mask} ({@code sched_setaffinity}); for benchmarks. */
    public static void setThreadAffinity(long[] mask) throws IOException {
        if (libc().sched_setaffinity(0, mask.length * 8L, mask) < 0) {
            throw Errors.newException("sched_setaffinity", errno());
        }
    }

    /** The process's open file descriptor count, from /proc/self/fd (used by leak tests and doctor). */
    public static int openFdCount() {
        String[] list = new java.io.File("/proc/self/fd").list();
        return list == null ? -1 : list.length;
    }
}
