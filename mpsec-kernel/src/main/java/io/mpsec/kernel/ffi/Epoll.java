package io.mpsec.kernel.ffi;

import java.io.IOException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * An epoll instance ({@code epoll(7)}) with typed calls. The event's {@code data} field carries the
 * descriptor number.
 *
 * <pre>
 * struct epoll_event {      // include/uapi/linux/eventpoll.h (Linux 6.1)
 *     __poll_t events;      // offset 0
 *     __u64    data;        // offset 4 on x86_64 (EPOLL_PACKED), 8 elsewhere
 * } EPOLL_PACKED;           // 12 bytes on x86_64, 16 elsewhere
 * </pre>
 */
public final class Epoll implements AutoCloseable {
    // include/uapi/linux/eventpoll.h (Linux 6.1)
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x1;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLONESHOT = 1 << 30;
    /** EPOLL_CLOEXEC = O_CLOEXEC. */
    public static final int EPOLL_CLOEXEC = 02000000;

    /** sizeof(struct epoll_event) on this CPU. */
    public static final int SIZEOF_EVENT = isX86_64() ? 12 : 16;
    private static final int DATA_OFFSET = isX86_64() ? 4 : 8;

    private final int epfd;
    private final int capacity;
    private final Pointer events;

    private Epoll(int epfd, int capacity) {
        this.epfd = epfd;
        this.capacity = capacity;
        this.events = Memory.allocateDirect(Syscalls.runtime(), (long) SIZEOF_EVENT * capacity, true);
    }

    /** {@code epoll_create1(EPOLL_CLOEXEC)}, with room for {@code capacity} events per {@link #await}. */
    public static Epoll create(int capacity) throws IOException {
        int fd = Syscalls.libc().epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0) {
            throw Errors.newException("epoll_create1", Syscalls.errno());
        }
        return new Epoll(fd, capacity);
    }

    /**
     * {@code epoll_ctl(op, fd, {events, data = fd})}. The caller keeps {@code fd} open for the call
     * (and removes it with {@link #EPOLL_CTL_DEL} before the number can be closed and reused).
     */
    public void ctl(int op, int fd, int eventMask) throws IOException {
        int e = tryCtl(op, fd, eventMask);
        if (e != 0) {
            throw Errors.newException("epoll_ctl(" + opName(op) + ", fd " + fd + ")", e);
        }
    }

    /** Like {@link #ctl} but returns the errno (0 on success) instead of throwing. */
    public int tryCtl(int op, int fd, int eventMask) {
        byte[] ev = new byte[SIZEOF_EVENT];
        Bytes.putIntLE(ev, 0, eventMask);
        Bytes.putIntLE(ev, DATA_OFFSET, fd);
        return Syscalls.libc().epoll_ctl(epfd, op, fd, ev) < 0 ? Syscalls.errno() : 0;
    }

    /**
     * {@code epoll_wait}: blocks up to {@code timeoutMillis} (-1 = forever); returns the number of
     * ready events, read them with {@link #fd} and {@link #events}. EINTR returns 0. Only one thread
     * may wait on an instance at a time (the event buffer is shared).
     */
    public int await(int timeoutMillis) throws IOException {
        int n = Syscalls.libc().epoll_wait(epfd, events, capacity, timeoutMillis);
        if (n < 0) {
            int e = Syscalls.errno();
            if (e == Errno.EINTR) {
                return 0;
            }
            throw Errors.newException("epoll_wait", e);
        }
        return n;
    }

    /** The descriptor of ready event {@code i} (its data field). */
    public int fd(int i) {
        return events.getInt((long) i * SIZEOF_EVENT + DATA_OFFSET);
    }

    /** The ready mask of event {@code i}. */
    public int events(int i) {
        return events.getInt((long) i * SIZEOF_EVENT);
    }

    @Override
    public void close() {
        Syscalls.closeQuietly(epfd);
    }

    private static String opName(int op) {
        switch (op) {
            case EPOLL_CTL_ADD:
                return "EPOLL_CTL_ADD";
            case EPOLL_CTL_DEL:
                return "EPOLL_CTL_DEL";
            case EPOLL_CTL_MOD:
                return "EPOLL_CTL_MOD";
            default:
                return "op " + op;
        }
    }

    private static boolean isX86_64() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64");
    }
}
