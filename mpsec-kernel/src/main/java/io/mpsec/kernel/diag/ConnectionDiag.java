package io.mpsec.kernel.diag;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists every MPTCP connection of one network namespace with its subflows, from sock_diag:
 * <ul>
 *   <li>an {@code IPPROTO_MPTCP} dump (the kernel's mptcp_diag, Linux 5.10+) gives the MPTCP sockets
 *       with their {@code struct mptcp_info}: token, flags (fallback), data-level bytes;</li>
 *   <li>a TCP dump gives the subflows with {@code struct tcp_info} (RTT, cwnd, bytes, retransmits),
 *       the congestion control and the MPTCP ULP info (token, backup flags, address ids).</li>
 * </ul>
 * One {@link #snapshot()} costs four dumps whatever the number of connections: each protocol for
 * AF_INET and for AF_INET6 (an IPv6 socket, dual-stack ones included, is listed only in the AF_INET6
 * dump). The states asked for are those {@code ss} lists by default ({@link InetDiag#CONNECTED_STATES}):
 * listeners, TIME_WAIT and request sockets are left out.
 *
 * <p>Requirements and limits: grouping subflows by token needs the ULP info, which the kernel gives
 * only to a reader with CAP_NET_ADMIN; without it each connection shows only its initial subflow
 * (matched by address). A server-side connection whose client sent no MP_CAPABLE (a plain TCP
 * client) is not listed: it has no token, so mptcp_diag does not see it, and its TCP socket carries no
 * MPTCP ULP info (seen on 6.18; the {@code MPTcpExt} MIB counters count such fallbacks). A client whose
 * peer answered without MPTCP is listed, with {@link ConnectionSnapshot#fallback()} set.
 *
 * <p>Thread-safe (calls are serialised on one netlink socket). Close it to release the socket.
 */
public final class ConnectionDiag implements AutoCloseable {
    /** Extensions asked of the TCP dump: tcp_info (which brings the ULP info) and the congestion control. */
    static final int TCP_EXT = 1 << (InetDiag.INET_DIAG_INFO - 1) | 1 << (InetDiag.INET_DIAG_CONG - 1);
    /** Extensions asked of the MPTCP dump: mptcp_info. */
    static final int MPTCP_EXT = 1 << (InetDiag.INET_DIAG_INFO - 1);

    private final NetlinkConnection conn;
    private final String namespace;

    ConnectionDiag(NetlinkConnection conn, String namespace) {
        this.conn = conn;
        this.namespace = namespace;
    }

    /**
     * Opens a reader for namespace {@code ns}, {@code null} for the calling thread's. The socket stays
     * in that namespace; {@code ns} may be closed afterwards.
     */
    public static ConnectionDiag open(NetNamespace ns) throws IOException {
        return new ConnectionDiag(NetlinkConnection.open(InetDiag.NETLINK_SOCK_DIAG, ns), ns == null ? null : ns.name());
    }

    /**
     * Opens a reader for the named namespace ({@code ip netns} name; needs CAP_SYS_ADMIN), or for the
     * calling thread's when {@code name} is {@code null}.
     *
     * @throws IOException when the namespace does not exist or cannot be entered
     */
    public static ConnectionDiag open(String name) throws IOException {
        if (name == null) {
            return open((NetNamespace) null);
        }
        try (NetNamespace ns = NetNamespace.open(name)) {
            return open(ns);
        }
    }

    /** The namespace name given at open, {@code null} for the opener's own. */
    public String namespace() {
        return namespace;
    }

    /**
     * Every MPTCP connection of the namespace now, with its subflows.
     *
     * @throws IOException when a dump fails; a kernel without mptcp_diag is named in the message
     */
    public NamespaceConnections snapshot() throws IOException {
        List<InetDiagMsg> msks = new ArrayList<>();
        List<InetDiagMsg> sockets = new ArrayList<>();
        for (int family : new int[] {Syscalls.AF_INET, Syscalls.AF_INET6}) {
            msks.addAll(dumpMptcp(family));
            sockets.addAll(dump("sock_diag TCP dump", InetDiagRequest.dump(family, Syscalls.IPPROTO_TCP,
                    InetDiag.CONNECTED_STATES, TCP_EXT)));
        }
        return new NamespaceConnections(namespace, System.currentTimeMillis(), ConnectionGrouping.group(msks, sockets));
    }

    private List<InetDiagMsg> dumpMptcp(int family) throws IOException {
        try {
            return dump("sock_diag IPPROTO_MPTCP dump", InetDiagRequest.dump(family, Syscalls.IPPROTO_MPTCP,
                    InetDiag.CONNECTED_STATES, MPTCP_EXT));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.EINVAL || e.errno() == Errno.EOPNOTSUPP) {
                throw new IOException("this kernel cannot list MPTCP sockets through sock_diag ("
                        + e.errnoName() + "): it needs the mptcp_diag module (CONFIG_INET_MPTCP_DIAG, Linux 5.10+); "
                        + "load it with 'modprobe mptcp_diag' or use a kernel built with it", e);
            }
            throw e;
        }
    }

    private List<InetDiagMsg> dump(String op, NetlinkMessage request) throws IOException {
        List<InetDiagMsg> out = new ArrayList<>();
        for (NetlinkMessage m : conn.dump(op, request).messages()) {
            out.add(InetDiagMsg.decode(m));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        conn.close();
    }
}
