package io.mpsec.kernel.netlink;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real {@code AF_NETLINK} socket. Opened with extended ACKs enabled, bound to a kernel-assigned
 * port id. The descriptor is owned by this object and closed exactly once.
 *
 * <p>A socket keeps the network namespace it was created in; {@link #open(int, NetNamespace)}
 * creates it on the namespace's thread, after which any thread may use it.
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
    private final byte[] recvBuf = new byte[RECV_BUFFER];

    private NetlinkSocket(int fd, int protocol, int portId) {
        this.fd = fd;
        this.protocol = protocol;
        this.portId = portId;
    }

    /** Opens a netlink socket for {@code protocol} (for example {@link Netlink#NETLINK_GENERIC}) in the caller's namespace. */
    public static NetlinkSocket open(int protocol) throws IOException {
        int fd = Syscalls.socket(Syscalls.AF_NETLINK, Syscalls.SOCK_RAW, protocol);
        try {
            int one = 1;
            // Extended ACK (4.12+): the kernel explains rejected requests. Older kernels say ENOPROTOOPT; fine.
            if (Syscalls.libc().setsockopt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, Bytes.intLE(one), 4) < 0) {
                int e = Syscalls.errno();
                if (e != Errno.ENOPROTOOPT) {
                    throw Errors.newException("setsockopt(NETLINK_EXT_ACK)", e);
                }
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
        return ns == null ? open(protocol) : ns.call(() -> open(protocol));
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
        ensureOpen();
        byte[] kernel = sockaddr(0, 0);
        while (true) {
            long n = Syscalls.libc().sendto(fd, datagram, datagram.length, 0, kernel, kernel.length);
            if (n >= 0) {
                if (n != datagram.length) {
                    throw new IOException("sendto(AF_NETLINK) sent " + n + " of " + datagram.length + " bytes");
                }
                return;
            }
            int e = Syscalls.errno();
            if (e != Errno.EINTR) {
                throw Errors.newException("sendto(AF_NETLINK)", e);
            }
        }
    }

    @Override
    public byte[] receive(int timeoutMillis) throws IOException {
        ensureOpen();
        if (timeoutMillis >= 0) {
            int revents = Syscalls.poll(fd, Syscalls.POLLIN, timeoutMillis == 0 ? 1 : timeoutMillis);
            if (revents == 0) {
                return null;
            }
        }
        synchronized (recvBuf) {
            while (true) {
                byte[] from = new byte[SOCKADDR_NL_SIZE];
                int[] fromLen = {SOCKADDR_NL_SIZE};
                long n = Syscalls.libc().recvfrom(fd, recvBuf, recvBuf.length, MSG_TRUNC, from, fromLen);
                if (n >= 0) {
                    if (n > recvBuf.length) {
                        throw new IOException("netlink datagram of " + n + " bytes exceeds the receive buffer of "
                                + recvBuf.length + " bytes");
                    }
                    return Arrays.copyOf(recvBuf, (int) n);
                }
                int e = Syscalls.errno();
                if (e != Errno.EINTR) {
                    // ENOBUFS here means the socket buffer overflowed and messages (events) were lost.
                    throw Errors.newException("recvfrom(AF_NETLINK)", e);
                }
            }
        }
    }

    @Override
    public void joinGroup(int group) throws IOException {
        ensureOpen();
        Syscalls.setsockoptInt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_ADD_MEMBERSHIP, group,
                "NETLINK_ADD_MEMBERSHIP " + group);
    }

    @Override
    public void leaveGroup(int group) throws IOException {
        ensureOpen();
        Syscalls.setsockoptInt(fd, Netlink.SOL_NETLINK, Netlink.NETLINK_DROP_MEMBERSHIP, group,
                "NETLINK_DROP_MEMBERSHIP " + group);
    }

    private void ensureOpen() throws IOException {
        if (closed.get()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            Syscalls.close(fd);
        }
    }

    @Override
    public String toString() {
        return "NetlinkSocket[protocol=" + protocol + ", port=" + Integer.toUnsignedString(portId) + (closed.get() ? ", closed" : "") + "]";
    }
}
