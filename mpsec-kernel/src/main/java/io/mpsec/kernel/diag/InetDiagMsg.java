package io.mpsec.kernel.diag;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * One SOCK_DIAG_BY_FAMILY reply of a dump: a {@code struct inet_diag_msg} and the attributes this
 * package reads (include/uapi/linux/inet_diag.h, Linux 6.18).
 * <pre>
 * struct inet_diag_msg {                // 72 bytes
 *     __u8  idiag_family;               //  0
 *     __u8  idiag_state;                //  1
 *     __u8  idiag_timer;                //  2
 *     __u8  idiag_retrans;              //  3
 *     struct inet_diag_sockid id;       //  4: sport (be16) 4, dport (be16) 6, src[4] 8, dst[4] 24,
 *                                       //     if 40, cookie[2] 44
 *     __u32 idiag_expires;              // 52
 *     __u32 idiag_rqueue;               // 56
 *     __u32 idiag_wqueue;               // 60
 *     __u32 idiag_uid;                  // 64
 *     __u32 idiag_inode;                // 68
 * };
 * </pre>
 * Attributes: {@code INET_DIAG_INFO} (struct tcp_info for TCP, struct mptcp_info for MPTCP, kept as
 * raw bytes of the length the kernel sent), {@code INET_DIAG_CONG} and {@code INET_DIAG_ULP_INFO}
 * ({@link MptcpSubflowAttrs} when the ULP is MPTCP; the kernel adds it only for CAP_NET_ADMIN).
 * Other attributes are ignored. An IPv4-mapped IPv6 address decodes as an {@code Inet4Address}.
 *
 * @param family     AF_INET or AF_INET6
 * @param state      the TCP state number (include/net/tcp_states.h)
 * @param local      local address and port
 * @param remote     remote address and port
 * @param ifindex    the bound interface, 0 when none
 * @param inode      the socket's inode (0 for an MPTCP subflow, which has no file)
 * @param info       INET_DIAG_INFO, or {@code null}
 * @param congestion INET_DIAG_CONG, or {@code null}
 * @param mptcp      the MPTCP ULP attributes of a subflow, or {@code null}
 */
record InetDiagMsg(int family, int state, InetSocketAddress local, InetSocketAddress remote, int ifindex, long inode,
                   byte[] info, String congestion, MptcpSubflowAttrs mptcp) {
    static final int OFF_SPORT = 4;
    static final int OFF_DPORT = 6;
    static final int OFF_SRC = 8;
    static final int OFF_DST = 24;
    static final int OFF_IF = 40;
    static final int OFF_INODE = 68;

    /** Decodes one reply message (type SOCK_DIAG_BY_FAMILY). */
    static InetDiagMsg decode(NetlinkMessage m) throws NetlinkFormatException {
        if (m.type() != InetDiag.SOCK_DIAG_BY_FAMILY) {
            throw new NetlinkFormatException("sock_diag dump: unexpected message type " + m.type());
        }
        return decode(m.payload());
    }

    /** Decodes an inet_diag_msg payload and its attributes. */
    static InetDiagMsg decode(byte[] p) throws NetlinkFormatException {
        if (p.length < InetDiag.SIZEOF_MSG) {
            throw new NetlinkFormatException("inet_diag_msg too short: " + p.length + " bytes, at least "
                    + InetDiag.SIZEOF_MSG + " expected");
        }
        int family = p[0] & 0xff;
        if (family != Syscalls.AF_INET && family != Syscalls.AF_INET6) {
            throw new NetlinkFormatException("inet_diag_msg: address family " + family + " is neither AF_INET nor AF_INET6");
        }
        InetSocketAddress local = address(p, family, OFF_SRC, Bytes.ushortBE(p, OFF_SPORT));
        InetSocketAddress remote = address(p, family, OFF_DST, Bytes.ushortBE(p, OFF_DPORT));
        AttributeReader attrs = AttributeReader.parse(p, InetDiag.SIZEOF_MSG, p.length - InetDiag.SIZEOF_MSG, "inet_diag_msg");
        byte[] info = attrs.has(InetDiag.INET_DIAG_INFO) ? attrs.bytes(InetDiag.INET_DIAG_INFO) : null;
        String cong = attrs.stringOr(InetDiag.INET_DIAG_CONG, null);
        MptcpSubflowAttrs mptcp = null;
        if (attrs.has(InetDiag.INET_DIAG_ULP_INFO)) {
            AttributeReader ulp = attrs.nested(InetDiag.INET_DIAG_ULP_INFO);
            if (ulp.has(InetDiag.INET_ULP_INFO_MPTCP)) {
                mptcp = MptcpSubflowAttrs.decode(ulp.nested(InetDiag.INET_ULP_INFO_MPTCP));
            }
        }
        return new InetDiagMsg(family, p[1] & 0xff, local, remote, Bytes.intLE(p, OFF_IF), Bytes.uintLE(p, OFF_INODE),
                info, cong, mptcp);
    }

    private static InetSocketAddress address(byte[] p, int family, int off, int port) {
        byte[] raw = Arrays.copyOfRange(p, off, off + (family == Syscalls.AF_INET ? 4 : 16));
        try {
            return new InetSocketAddress(InetAddress.getByAddress(raw), port); // ::ffff:a.b.c.d becomes a.b.c.d
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
    }

    /** Whether both ends equal those of {@code o} (addresses and ports; not the interface). */
    boolean sameTuple(InetDiagMsg o) {
        return local.equals(o.local) && remote.equals(o.remote);
    }
}
