package io.mpsec.kernel.ffi;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.Pinned;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls MPSec makes, bound through JNR-FFI. This is the only place in MPSec that declares
 * native functions; everything else goes through {@link Syscalls}, which reads errno right after the
 * call and turns failures into exceptions.
 *
 * <p>Arrays passed to blocking calls (poll, accept4, epoll_wait) are never {@code @Pinned}: JNR copies
 * them, so a thread blocked in the kernel does not hold a JNI critical section and cannot stall GC.
 * {@link #send} and {@link #recv} take a pinned buffer: MPSec calls them only on non-blocking
 * descriptors, so the kernel copies straight from (or into) the caller's heap array or direct
 * buffer and returns at once.
 */
public interface LibC {
    @SaveError int socket(int domain, int type, int protocol);

    @SaveError int connect(int fd, @In byte[] addr, int addrlen);

    @SaveError int bind(int fd, @In byte[] addr, int addrlen);

    @SaveError int listen(int fd, int backlog);

    @SaveError int accept4(int fd, @Out byte[] addr, int[] addrlen, int flags);

    @SaveError @ssize_t long read(int fd, Pointer buf, @size_t long count);

    @SaveError @ssize_t long write(int fd, Pointer buf, @size_t long count);

    /**
     * {@code send(2)} from {@code buf} (heap or direct; JNR passes the address of its position). A heap
     * array stays pinned for the duration of the call (a JNI critical section, which holds off the
     * garbage collector on Java 17), so with a heap buffer the call must not block: a non-blocking
     * descriptor or MSG_DONTWAIT. Direct buffers are not pinned and may block.
     */
    @SaveError @ssize_t long send(int fd, @Pinned @In ByteBuffer buf, @size_t long len, int flags);

    /** {@code recv(2)} into {@code buf} at its position; with a heap buffer it must not block, like {@link #send}. */
    @SaveError @ssize_t long recv(int fd, @Pinned @Out ByteBuffer buf, @size_t long len, int flags);

    @SaveError @ssize_t long sendto(int fd, @In byte[] buf, @size_t long len, int flags, @In byte[] addr, int addrlen);

    @SaveError @ssize_t long recvfrom(int fd, @Out byte[] buf, @size_t long len, int flags, @Out byte[] addr, int[] addrlen);

    /** sendto from native memory: no hidden JNR copy of the datagram (it may hold key material). */
    @SaveError @ssize_t long sendto(int fd, Pointer buf, @size_t long len, int flags, @In byte[] addr, int addrlen);

    /** recvfrom into native memory: no hidden JNR copy of the datagram (it may hold key material). */
    @SaveError @ssize_t long recvfrom(int fd, Pointer buf, @size_t long len, int flags, @Out byte[] addr, int[] addrlen);

    @SaveError int close(int fd);

    @SaveError int shutdown(int fd, int how);

    @SaveError int setsockopt(int fd, int level, int optname, @In byte[] optval, int optlen);

    /** optval is copied in and out: MPTCP_TCPINFO, MPTCP_FULL_INFO read a request header from it. */
    @SaveError int getsockopt(int fd, int level, int optname, byte[] optval, int[] optlen);

    @SaveError int getsockname(int fd, @Out byte[] addr, int[] addrlen);

    @SaveError int getpeername(int fd, @Out byte[] addr, int[] addrlen);

    /** {@code struct pollfd} is 8 bytes: int fd, short events, short revents. */
    @SaveError int poll(byte[] fds, long nfds, int timeoutMillis);

    @SaveError int epoll_create1(int flags);

    /** {@code event} is a {@code struct epoll_event} (12 bytes, packed, on x86_64; 16 elsewhere). */
    @SaveError int epoll_ctl(int epfd, int op, int fd, @In byte[] event);

    /** Blocking: {@code events} is native memory the caller owns, never a pinned array. */
    @SaveError int epoll_wait(int epfd, Pointer events, int maxevents, int timeoutMillis);

    @SaveError int fcntl(int fd, int cmd, int arg);

    /** {@code dup3(2)}: makes {@code newfd} refer to the open file of {@code oldfd}, atomically. */
    @SaveError int dup3(int oldfd, int newfd, int flags);

    @SaveError int open(String path, int flags);

    /** {@code openat(2)} with a creation mode (used only with O_CREAT; ignored otherwise). */
    @SaveError int openat(int dirfd, String path, int flags, int mode);

    /** {@code statx(2)} (Linux 4.11, glibc 2.28); with AT_EMPTY_PATH and an empty path it describes {@code dirfd} itself. */
    @SaveError int statx(int dirfd, String path, int flags, int mask, Pointer statxbuf);

    @SaveError int fchmod(int fd, int mode);

    @SaveError int fsync(int fd);

    @SaveError int unlinkat(int dirfd, String path, int flags);

    @SaveError int renameat(int olddirfd, String oldpath, int newdirfd, String newpath);

    @SaveError int flock(int fd, int operation);

    int geteuid();

    @SaveError int setns(int fd, int nstype);

    @SaveError int unshare(int flags);

    /** ioctl with an int out-argument (FIONREAD). */
    @SaveError int ioctl(int fd, long request, int[] arg);

    int getpid();

    /** {@code cpu_set_t} as longs, bit i = CPU i; {@code pid} 0 = the calling thread. */
    @SaveError int sched_setaffinity(int pid, long cpusetsize, @In long[] mask);

    @SaveError int sched_getaffinity(int pid, long cpusetsize, @Out long[] mask);

    /** {@code struct rusage} as 18 longs on LP64: ru_utime {sec, usec}, ru_stime {sec, usec}, then counters. */
    @SaveError int getrusage(int who, @Out long[] usage);

    /** {@code strerror} is only used to build messages; it is not thread-safe for the buffer, so it is copied at once. */
    String strerror(int errnum);
}
