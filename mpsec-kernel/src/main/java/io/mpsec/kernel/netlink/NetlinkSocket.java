package io.mpsec.kernel.netlink;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.NativeBuffer;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real {@code AF_NETLINK} socket. Opened with extended ACKs enabled, bound to a kernel-assigned
 * port id. The descriptor is owned by this object and closed exactly once.
 *
 * <p>A socket keeps the network namespace it was created in; {@link #open(int, NetNamespace)}
 * creates it on the namespace's thread, after which any thread may use it.
 *
 * <p>By default the socket also sets {@code NETLINK_CAP_ACK} (4.3+), so the kernel's error replies
 * carry only the header of the rejected request instead of echoing the whole request (which for
 * xfrm would contain key material). {@link #open(int, NetNamespace, boolean)} can turn it off.
 *
 * <p>Only the kernel is listened to: a datagram whose sender ({@code sockaddr_nl.nl_pid} from
 * {@code recvfrom}) is not port 0 comes from another process that can write to this port id (any
 * process with CAP_NET_ADMIN may unicast to it). It is dropped and counted
 * ({@link #foreignDatagramsDropped()}), so it can never pass for a reply or a notification.
 *
 * <p>Datagrams move through native buffers owned by the socket, not through JNR's temporary copies,
 * and are wiped right after each send and receive: xfrm messages carry SA keys.
 *
 * <p>{@link #close()} may be called from any thread at any time: a call that is using the descriptor
 * ({@code send}, {@code receive}, group changes) holds it until it returns, and the descriptor is
 * closed when the last such call ends, so it can never be reused by another open in between.
 */
public final class NetlinkSocket implements NetlinkTransport {
    /** Receive buffer: the kernel sends dump parts of at most 32 KiB (netlink_dump). */
    private static final int RECV_BUFFER = 64 * 1024;
    /** {@code MSG_TRUNC} from bits/socket.h: recvfrom returns the real datagram length. */
    private static final int MSG_TRUNC = 0x20;
    /** {@code sizeof(struct sockaddr_nl)}: u16 family, u16 pad, u32 pid, u32 groups. */
    private static final int SOCKADDR_NL_SIZE = 12;

    private final int fd;
    private final int protocol;
    private final int portId;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Calls currently using {@link #fd}; the descriptor is closed when closed and this drops to 0. */
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicBoolean fdClosed = new AtomicBoolean();
    private final AtomicLong foreignDropped = new AtomicLong();
    /** Receive side, guarded by itself; wiped after every datagram. */
    private final NativeBuffer recvBuf = NativeBuffer.allocate(RECV_BUFFER);
    /** Send side, guarded by {@link #sendLock}; grown on demand, wiped after every datagram. */
    private NativeBuffer sendBuf;
    private final Object sendLock = new Object();

    private NetlinkSocket(int fd, int protocol, int portId) {
        this.fd = fd;
        this.protocol = protocol;
        this.portId = portId;
    }

    /** Opens a netlink socket for {@code protocol} (for example {@link Netlink#NETLINK_GENERIC}) in the caller's namespace. */
    public static NetlinkSocket open(int protocol) throws IOException {
        return open(protocol, true);
    }

    /**
     * Opens a netlink socket for {@code protocol} in the caller's namespace; {@code capAck} sets
     * {@code NETLINK_CAP_ACK} (error replies echo only the request header, not its payload).
     */
    public static NetlinkSocket open(int protocol, boolean capAck) throws IOException {
        int fd = Syscalls.socket(Syscalls.AF_NETLINK, Syscalls.SOCK_RAW, protocol);
        try {
            // Extended ACK (4.12+): the kernel explains rejected requests. Older kernels say ENOPROTOOPT; fine.
            optionalFlag(fd, Netlink.NETLINK_EXT_ACK, "NETLINK_EXT_ACK");
            if (capAck) {
                // NETLINK_CAP_ACK (4.3+): NLMSG_ERROR carries the request header only (NLM_F_CAPPED).
                optionalFlag(fd, Netlink.NETLINK_CAP_ACK, "NETLINK_CAP_ACK");
            }
            Syscalls.bind(fd, sockaddr(0, 0), "AF_NETLINK");
            byte[] addr = new byte[SOCKADDR_NL_SIZE];
            int[] len = {SOCKADDR_NL_SIZE};
            if (Syscalls.libc().getsockname(fd, addr, len) < 0) {
                throw Errors.newException("getsockname(AF_NETLINK)", Syscalls.errno());
            }
            return new NetlinkSocket(fd, protocol, Bytes.intLE(addr, 4));
        } catch (IOException | RuntimeException e) {
            Syscalls.closeQuietly(fd);
            throw e;
        }
    }

    /** Opens a netlink socket inside network namespace {@code ns}. */
    public static NetlinkSocket open(int protocol, NetNamespace ns) throws IOException {
        return open(protocol, ns, true);
    }

    /** Opens a netlink socket inside {@code ns} ({@code null}: the caller's), {@code capAck} as in {@link #open(int, boolean)}. */
    public static NetlinkSocket open(int protocol, NetNamespace ns, boolean capAck) throws IOException {
        return ns == null ? open(protocol, capAck) : ns.call(() -> open(protocol, capAck));
    }

    private static void optionalFlag(int fd, int option, String name) throws IOException {
        if (Syscalls.libc().setsockopt(fd, Netlink.SOL_NETLINK, option, Bytes.intLE(1), 4) < 0) {
            int e = Syscalls.errno();
            if (e != Errno.ENOPROTOOPT) {
                throw Errors.newException("setsockopt(" + name + ")", e);
            }
        }
    }

    /**
     * Asks for a receive buffer of {@code bytes} so bursts of multicast events do not overflow it
     * (an overflow makes the next receive fail with {@code ENOBUFS} and the events are lost).
     * Uses {@code SO_RCVBUFFORCE} (CAP_NET_ADMIN, ignores net.core.rmem_max) and falls back to
     * {@code SO_RCVBUF} (capped by rmem_max) without the capability.
     */
    public void receiveBufferSize(int bytes) throws IOException {
        if (bytes <= 0) {
            throw new IllegalArgumentException("receive buffer size must be positive: " + bytes);
        }
        acquire();
        try {
            if (Syscalls.libc().setsockopt(fd, Netlink.SOL_SOCKET, Netlink.SO_RCVBUFFORCE, Bytes.intLE(bytes), 4) < 0) {
                int e = Syscalls.errno();
                if (e != Errno.EPERM) {
                    throw Errors.newException("setsockopt(SO_RCVBUFFORCE " + bytes + ")", e);
                }
                Syscalls.setsockoptInt(fd, Netlink.SOL_SOCKET, Netlink.SO_RCVBUF, bytes, "SO_RCVBUF " + bytes);
            }
        } finally {
            release();
        }
    }

    static byte[] sockaddr(int pid, int groups) {
        byte[] a = new byte[SOCKADDR_NL_SIZE];
        Bytes.putShortLE(a, 0, (short) Syscalls.AF_NETLINK);
        Bytes.putIntLE(a, 4, pid);
        Bytes.putIntLE(a, 8, groups);
        return a;
    }

    public int protocol() {
        return protocol;
    }

    @Override
    public int portId() {
        return portId;
    }

    @Override
    public void send(byte[] datagram) throws IOException {
        acquire();
        try {
            sendLocked(datagram);
        } finally {
            release();
        }
    }

    private void sendLocked(byte[] datagram) throws IOException {
        byte[] kernel = sockaddr(0, 0);
        synchronized (sendLock) {
            if (sendBuf == null || sendBuf.capacity() < datagram.length) {
                sendBuf = NativeBuffer.allocate(Math.max(datagram.length, 4096));
            }
            sendBuf.put(datagram, 0, datagram.length);
            try {
                while (true) {
                    long n = Syscalls.sendto(fd, sendBuf, datagram.length, 0, kernel);
                    if (n >= 0) {
                        if (n != datagram.length) {
                            throw new IOException("sendto(AF_NETLINK) sent " + n + " of " + datagram.length + " bytes");
                        }
                        return;
                    }
                    int e = (int) -n;
                    if (e != Errno.EINTR) {
                        throw Errors.newException("sendto(AF_NETLINK)", e);
                    }
                }
            } finally {
                sendBuf.wipe(datagram.length);
            }
        }
    }

    @Override
    public byte[] receive(int timeoutMillis) throws IOException {
        acquire();
        try {
            return receiveLocked(timeoutMillis);
        } finally {
            release();
        }
    }

    private byte[] receiveLocked(int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + Math.max(timeoutMillis, 1) * 1_000_000L;
        while (true) {
            if (timeoutMillis >= 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                int revents = Syscalls.poll(fd, Syscalls.POLLIN, (int) Math.max(1, left));
                if (revents == 0) {
                    return null;
                }
            }
            byte[] d = receiveOne();
            if (d != null) {
                return d;
            }
            if (timeoutMillis >= 0 && System.nanoTime() - deadline >= 0) {
                return null; // only foreign datagrams arrived in time
            }
        }
    }

    /** One recvfrom: the datagram, or {@code null} when it was not from the kernel (dropped, counted). */
    private byte[] receiveOne() throws IOException {
        synchronized (recvBuf) {
            while (true) {
                byte[] from = new byte[SOCKADDR_NL_SIZE];
                int[] fromLen = {SOCKADDR_NL_SIZE};
                long n = Syscalls.recvfrom(fd, recvBuf, recvBuf.capacity(), MSG_TRUNC, from, fromLen);
                if (n >= 0) {
                    int held = (int) Math.min(n, recvBuf.capacity());
                    try {
                        if (!fromKernel(from, fromLen[0])) {
                            foreignDropped.incrementAndGet();
                            return null;
                        }
                        if (n > recvBuf.capacity()) {
                            throw new IOException("netlink datagram of " + n + " bytes exceeds the receive buffer of "
                                    + recvBuf.capacity() + " bytes");
                        }
                        byte[] out = new byte[held];
                        recvBuf.get(out, 0, held);
                        return out;
                    } finally {
                        recvBuf.wipe(held);
                    }
                }
                int e = (int) -n;
                if (e != Errno.EINTR) {
                    // ENOBUFS here means the socket buffer overflowed and messages (events) were lost.
                    throw Errors.newException("recvfrom(AF_NETLINK)", e);
                }
            }
        }
    }

    /**
     * Whether the {@code struct sockaddr_nl} filled in by recvfrom names the kernel: {@code nl_pid}
     * (u32 at offset 4, after u16 nl_family and u16 nl_pad) is 0 for the kernel's unicast replies and
     * its multicast notifications alike; any other value is a user-space sender.
     */
    static boolean fromKernel(byte[] sockaddr, int length) {
        return length >= 8 && Bytes.shortLE(sockaddr, 0) == Syscalls.AF_NETLINK && Bytes.intLE(sockaddr, 4) == 0;
    }

    /** Datagrams received from a port other than the kernel's (0) and dropped. */
    public long foreignDatagramsDropped() {
        return foreignDropped.get();
    }

    @Override
    public void joinGroup(int group) throws IOException {
        acquire();
        try {
            Syscalls.setsockoptInt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_ADD_MEMBERSHIP, group,
                    "NETLINK_ADD_MEMBERSHIP " + group);
        } finally {
            release();
        }
    }

    @Override
    public void leaveGroup(int group) throws IOException {
        acquire();
        try {
            Syscalls.setsockoptInt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_DROP_MEMBERSHIP, group,
                    "NETLINK_DROP_MEMBERSHIP " + group);
        } finally {
            release();
        }
    }

    /** Marks the descriptor in use; fails when the socket is closed. Pair with {@link #release()}. */
    void acquire() throws IOException {
        inUse.incrementAndGet();
        if (closed.get()) {
            release();
            throw new ClosedChannelException();
        }
    }

    void release() throws IOException {
        if (inUse.decrementAndGet() == 0 && closed.get()) {
            closeFd();
        }
    }

    /** True while a call holds the descriptor (for tests of the close bracket). */
    boolean inUse() {
        return inUse.get() > 0;
    }

    /** True once the descriptor itself has been closed. */
    boolean descriptorClosed() {
        return fdClosed.get();
    }

    private void closeFd() throws IOException {
        if (fdClosed.compareAndSet(false, true)) {
            Syscalls.close(fd);
        }
    }

    /**
     * Closes the socket. Calls already using the descriptor finish first (a receive at most after
     * its timeout); the descriptor is closed exactly once, by whichever of them ends last.
     */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true) && inUse.get() == 0) {
            closeFd();
        }
    }

    @Override
    public String toString() {
        return "NetlinkSocket[protocol=" + protocol + ", port=" + Integer.toUnsignedString(portId) + (closed.get() ? ", closed" : "") + "]";
    }
}
