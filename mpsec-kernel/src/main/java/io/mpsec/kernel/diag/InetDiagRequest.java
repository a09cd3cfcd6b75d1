package io.mpsec.kernel.diag;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The SOCK_DIAG_BY_FAMILY request: an exact match of one TCP socket (a subflow) by its 4-tuple, or a
 * dump of one protocol and address family ({@link #dump}).
 * <pre>
 * struct inet_diag_req_v2 {            // 56 bytes
 *     __u8  sdiag_family;               //  0
 *     __u8  sdiag_protocol;             //  1
 *     __u8  idiag_ext;                  //  2  bit (INET_DIAG_x - 1) per extension wanted
 *     __u8  pad;                        //  3
 *     __u32 idiag_states;               //  4
 *     struct inet_diag_sockid {         //  8
 *         __be16 idiag_sport;           //  8
 *         __be16 idiag_dport;           // 10
 *         __be32 idiag_src[4];          // 12
 *         __be32 idiag_dst[4];          // 28
 *         __u32  idiag_if;              // 44
 *         __u32  idiag_cookie[2];       // 48
 *     } id;
 * };
 * </pre>
 */
final class InetDiagRequest {
    private InetDiagRequest() {
    }

    static NetlinkMessage exact(InetSocketAddress local, InetSocketAddress remote) {
        boolean v4 = local.getAddress() instanceof Inet4Address && remote.getAddress() instanceof Inet4Address;
        byte[] b = new byte[InetDiag.SIZEOF_REQ_V2];
        b[0] = (byte) (v4 ? Syscalls.AF_INET : Syscalls.AF_INET6);
        b[1] = (byte) Syscalls.IPPROTO_TCP;
        b[2] = (byte) (1 << (InetDiag.INET_DIAG_INFO - 1));
        Bytes.putIntLE(b, 4, 0xFFFFFFFF);
        Bytes.putShortBE(b, 8, local.getPort());
        Bytes.putShortBE(b, 10, remote.getPort());
        putAddress(b, 12, local, v4);
        putAddress(b, 28, remote, v4);
        Bytes.putIntLE(b, 48, InetDiag.INET_DIAG_NOCOOKIE);
        Bytes.putIntLE(b, 52, InetDiag.INET_DIAG_NOCOOKIE);
        return NetlinkMessage.request(InetDiag.SOCK_DIAG_BY_FAMILY, 0, b);
    }

    /** A dump of all established TCP sockets of one family, with tcp_info and ULP info. */
    static NetlinkMessage dumpAll(boolean v4) {
        byte[] b = new byte[InetDiag.SIZEOF_REQ_V2];
        b[0] = (byte) (v4 ? Syscalls.AF_INET : Syscalls.AF_INET6);
        b[1] = (byte) Syscalls.IPPROTO_TCP;
        b[2] = (byte) (1 << (InetDiag.INET_DIAG_INFO - 1));
        Bytes.putIntLE(b, 4, 1 << 1); // TCPF_ESTABLISHED
        Bytes.putIntLE(b, 48, InetDiag.INET_DIAG_NOCOOKIE);
        Bytes.putIntLE(b, 52, InetDiag.INET_DIAG_NOCOOKIE);
        return NetlinkMessage.request(InetDiag.SOCK_DIAG_BY_FAMILY, 0, b);
    }

    /**
     * A dump request of every {@code protocol} socket of {@code family} in {@code states} (a mask of
     * {@code 1 << TCP_x}), with the extensions {@code ext} (a mask of {@code 1 << (INET_DIAG_x - 1)}).
     * A protocol above 255 (IPPROTO_MPTCP) goes into an INET_DIAG_REQ_PROTOCOL attribute and only its
     * low byte into {@code sdiag_protocol}, exactly as {@code ss -M} sends it (the kernel reads the
     * attribute first: net/ipv4/inet_diag.c, inet_diag_get_protocol).
     */
    static NetlinkMessage dump(int family, int protocol, int states, int ext) {
        if (family != Syscalls.AF_INET && family != Syscalls.AF_INET6) {
            throw new IllegalArgumentException("inet_diag dumps one address family, AF_INET or AF_INET6; got " + family);
        }
        if (protocol <= 0 || ext < 0 || ext > 0xff) {
            throw new IllegalArgumentException("bad inet_diag dump: protocol " + protocol + ", ext 0x" + Integer.toHexString(ext));
        }
        byte[] b = new byte[InetDiag.SIZEOF_REQ_V2];
        b[0] = (byte) family;
        b[1] = (byte) protocol;
        b[2] = (byte) ext;
        Bytes.putIntLE(b, 4, states);
        if (protocol > 0xff) {
            byte[] attr = new AttributeWriter().u32(InetDiag.INET_DIAG_REQ_PROTOCOL, protocol).toByteArray();
            byte[] withAttr = Arrays.copyOf(b, b.length + attr.length);
            System.arraycopy(attr, 0, withAttr, b.length, attr.length);
            b = withAttr;
        }
        return NetlinkMessage.request(InetDiag.SOCK_DIAG_BY_FAMILY, 0, b);
    }

    private static void putAddress(byte[] b, int off, InetSocketAddress a, boolean v4) {
        byte[] raw = a.getAddress().getAddress();
        if (v4) {
            System.arraycopy(raw, 0, b, off, 4);
        } else if (raw.length == 4) {
            b[off + 10] = (byte) 0xff;
            b[off + 11] = (byte) 0xff;
            System.arraycopy(raw, 0, b, off + 12, 4);
        } else {
            System.arraycopy(raw, 0, b, off, 16);
        }
    }
}
