package io.mpsec.kernel.socket;

import io.mpsec.MptcpConnectionInfo;
import io.mpsec.NativeIoException;
import io.mpsec.SubflowInfo;
import io.mpsec.TcpState;
import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * MPTCP queries on a connected socket descriptor: is it MPTCP, MPTCP_INFO, and its subflows.
 * The caller holds the descriptor (see {@link FdHandle}).
 */
final class MptcpIntrospection {
    /** sizeof(struct mptcp_subflow_data): header of MPTCP_TCPINFO and MPTCP_SUBFLOW_ADDRS replies. */
    static final int SIZEOF_SUBFLOW_DATA = 16;
    /** sizeof(struct mptcp_subflow_addrs): two sockaddr_storage. */
    static final int SIZEOF_SUBFLOW_ADDRS = 256;
    /** sizeof(struct mptcp_subflow_info): __u32 id, then mptcp_subflow_addrs at offset 8 (8-byte aligned). */
    static final int SIZEOF_SUBFLOW_INFO = 264;
    /** offsetof(struct mptcp_full_info, mptcp_info) (MIN_FULL_INFO_OPTLEN_SIZE in net/mptcp/sockopt.c). */
    static final int FULL_INFO_HEADER = 40;
    /** Subflows MPSec asks the kernel for in one call (the kernel caps a connection at 8 by default). */
    static final int MAX_SUBFLOWS = 32;

    private MptcpIntrospection() {
    }

    /**
     * TCP_IS_MPTCP (6.10+); on older kernels the getsockopt chain of {@link MultipathChain}.
     */
    static boolean isMultipath(int fd) throws IOException {
        int[] len = {4};
        byte[] v = new byte[4];
        if (Syscalls.libc().getsockopt(fd, SockOpts.SOL_TCP, SockOpts.TCP_IS_MPTCP, v, len) == 0) {
            return Bytes.intLE(v, 0) != 0;
        }
        int e = Syscalls.errno();
        if (e != Errno.ENOPROTOOPT && e != Errno.EOPNOTSUPP) {
            throw Errors.newException("getsockopt(TCP_IS_MPTCP)", e);
        }
        return MultipathChain.isMultipath(fd);
    }

    static MptcpConnectionInfo connectionInfo(int fd) throws IOException {
        try {
            return MptcpInfoDecoder.decode(Syscalls.getsockopt(fd, SockOpts.SOL_MPTCP, SockOpts.MPTCP_INFO,
                    MptcpInfoDecoder.SIZEOF_LATEST + 64, "MPTCP_INFO"));
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOPROTOOPT || e.errno() == Errno.EOPNOTSUPP) {
                // a fallen-back or TCP socket answers EOPNOTSUPP too (see MultipathChain)
                SocketException s = new SocketException(MultipathChain.kernelHasMptcpInfo()
                        ? "MPTCP_INFO is not available: the connection is not MPTCP (it fell back to plain TCP, "
                                + "or the socket was created as TCP); " + e.getMessage()
                        : "MPTCP_INFO is not available: this kernel has no SOL_MPTCP getsockopt (needs Linux 5.16+); "
                                + e.getMessage());
                s.initCause(e);
                throw s;
            }
            throw e;
        }
    }

    /** MPTCP_FULL_INFO (6.5+), else MPTCP_TCPINFO + MPTCP_SUBFLOW_ADDRS (5.16+). */
    static List<SubflowInfo> subflows(int fd) throws IOException {
        try {
            return fullInfo(fd);
        } catch (NativeIoException e) {
            if (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.ENOPROTOOPT && e.errno() != Errno.EINVAL) {
                throw e;
            }
        }
        return tcpInfoAndAddrs(fd);
    }

    private static List<SubflowInfo> fullInfo(int fd) throws IOException {
        int tcpInfoSize = TcpInfoDecoder.SIZEOF_USED;
        Pointer sf = Memory.allocateDirect(Syscalls.runtime(), SIZEOF_SUBFLOW_INFO * MAX_SUBFLOWS, true);
        Pointer ti = Memory.allocateDirect(Syscalls.runtime(), tcpInfoSize * MAX_SUBFLOWS, true);
        byte[] req = new byte[FULL_INFO_HEADER + MptcpInfoDecoder.SIZEOF_LATEST];
        // struct mptcp_full_info: size_tcpinfo_kernel, size_tcpinfo_user, size_sfinfo_kernel,
        // size_sfinfo_user, num_subflows, size_arrays_user, __aligned_u64 subflow_info, tcp_info
        Bytes.putIntLE(req, 4, tcpInfoSize);
        Bytes.putIntLE(req, 12, SIZEOF_SUBFLOW_INFO);
        Bytes.putIntLE(req, 20, MAX_SUBFLOWS);
        putLongLE(req, 24, sf.address());
        putLongLE(req, 32, ti.address());
        int[] len = {req.length};
        if (Syscalls.libc().getsockopt(fd, SockOpts.SOL_MPTCP, SockOpts.MPTCP_FULL_INFO, req, len) < 0) {
            throw Errors.newException("getsockopt(MPTCP_FULL_INFO)", Syscalls.errno());
        }
        int n = Math.min(Bytes.intLE(req, 16), MAX_SUBFLOWS);
        int tcpLen = Math.min(Bytes.intLE(req, 4), tcpInfoSize);
        int sfLen = Math.min(Bytes.intLE(req, 12), SIZEOF_SUBFLOW_INFO);
        List<SubflowInfo> out = new ArrayList<>(n);
        byte[] sfBuf = new byte[SIZEOF_SUBFLOW_INFO];
        byte[] tiBuf = new byte[tcpInfoSize];
        for (int i = 0; i < n; i++) {
            sf.get((long) i * SIZEOF_SUBFLOW_INFO, sfBuf, 0, SIZEOF_SUBFLOW_INFO);
            ti.get((long) i * tcpInfoSize, tiBuf, 0, tcpInfoSize);
            if (sfLen < SIZEOF_SUBFLOW_INFO) {
                throw new NetlinkFormatException("MPTCP_FULL_INFO: struct mptcp_subflow_info of " + sfLen
                        + " bytes, " + SIZEOF_SUBFLOW_INFO + " expected (id and both addresses)");
            }
            long id = Bytes.uintLE(sfBuf, 0);
            if (id > Integer.MAX_VALUE) {
                throw new NetlinkFormatException("MPTCP_FULL_INFO: subflow id " + id + " out of range (the kernel counts them from 1)");
            }
            out.add(subflow(id, SockAddr.decode(sfBuf, 8, 128), SockAddr.decode(sfBuf, 8 + 128, 128), tiBuf, 0, tcpLen));
        }
        return out;
    }

    private static List<SubflowInfo> tcpInfoAndAddrs(int fd) throws IOException {
        return decodeTcpInfoAndAddrs(
                subflowData(fd, SockOpts.MPTCP_TCPINFO, "MPTCP_TCPINFO", TcpInfoDecoder.SIZEOF_USED),
                subflowData(fd, SockOpts.MPTCP_SUBFLOW_ADDRS, "MPTCP_SUBFLOW_ADDRS", SIZEOF_SUBFLOW_ADDRS));
    }

    /**
     * The subflows from the replies of MPTCP_TCPINFO and MPTCP_SUBFLOW_ADDRS (each a struct
     * mptcp_subflow_data header, then its elements); these carry no subflow id. Pure, for tests.
     */
    static List<SubflowInfo> decodeTcpInfoAndAddrs(byte[] tcp, byte[] addrs) throws NetlinkFormatException {
        if (tcp.length < SIZEOF_SUBFLOW_DATA || addrs.length < SIZEOF_SUBFLOW_DATA) {
            throw new NetlinkFormatException("struct mptcp_subflow_data too short: " + Math.min(tcp.length, addrs.length)
                    + " bytes (" + SIZEOF_SUBFLOW_DATA + " expected)");
        }
        int n = Math.min(Bytes.intLE(tcp, 4), Bytes.intLE(addrs, 4));
        int tcpStride = Bytes.intLE(tcp, 12);
        int addrStride = Bytes.intLE(addrs, 12);
        if (addrStride < SIZEOF_SUBFLOW_ADDRS) {
            throw new NetlinkFormatException("MPTCP_SUBFLOW_ADDRS: elements of " + addrStride + " bytes, "
                    + SIZEOF_SUBFLOW_ADDRS + " expected (two sockaddr_storage)");
        }
        if (tcpStride < TcpInfoDecoder.OFF_BYTES_SENT + 8) {
            throw new NetlinkFormatException("MPTCP_TCPINFO: struct tcp_info of " + tcpStride + " bytes, at least "
                    + (TcpInfoDecoder.OFF_BYTES_SENT + 8) + " expected (tcpi_bytes_sent, Linux 4.19+)");
        }
        List<SubflowInfo> out = new ArrayList<>();
        for (int i = 0; i < n && i < MAX_SUBFLOWS; i++) {
            long to = SIZEOF_SUBFLOW_DATA + (long) i * tcpStride;
            long ao = SIZEOF_SUBFLOW_DATA + (long) i * addrStride;
            if (to + tcpStride > tcp.length || ao + addrStride > addrs.length) {
                break;
            }
            out.add(subflow(-1, SockAddr.decode(addrs, (int) ao, 128), SockAddr.decode(addrs, (int) ao + 128, 128),
                    tcp, (int) to, tcpStride));
        }
        return out;
    }

    private static byte[] subflowData(int fd, int opt, String name, int elementSize) throws IOException {
        byte[] buf = new byte[SIZEOF_SUBFLOW_DATA + elementSize * MAX_SUBFLOWS];
        Bytes.putIntLE(buf, 0, SIZEOF_SUBFLOW_DATA);
        Bytes.putIntLE(buf, 12, elementSize);
        int[] len = {buf.length};
        if (Syscalls.libc().getsockopt(fd, SockOpts.SOL_MPTCP, opt, buf, len) < 0) {
            throw Errors.newException("getsockopt(" + name + ")", Syscalls.errno());
        }
        return buf;
    }

    /**
     * One subflow from its addresses and the {@code len} bytes of its struct tcp_info at {@code off};
     * {@code id} -1 when the kernel gave none. Every kernel with these getsockopts returns at least
     * the 4.19 layout, so a shorter tcp_info, or a subflow without addresses, is a format error.
     */
    private static SubflowInfo subflow(long id, InetSocketAddress local, InetSocketAddress remote, byte[] t, int off, int len)
            throws NetlinkFormatException {
        if (len < TcpInfoDecoder.OFF_BYTES_SENT + 8) {
            throw new NetlinkFormatException("struct tcp_info of " + len + " bytes, at least "
                    + (TcpInfoDecoder.OFF_BYTES_SENT + 8) + " expected (tcpi_bytes_sent, Linux 4.19+)");
        }
        if (local == null || remote == null) {
            throw new NetlinkFormatException("subflow without a " + (local == null ? "local" : "remote")
                    + " address (an address family other than AF_INET/AF_INET6)");
        }
        SubflowInfo.Builder b = SubflowInfo.builder(local, remote)
                .rttMicros(TcpInfoDecoder.u32(t, off, len, TcpInfoDecoder.OFF_RTT))
                .cwnd(TcpInfoDecoder.u32(t, off, len, TcpInfoDecoder.OFF_SND_CWND))
                .bytes(TcpInfoDecoder.u64(t, off, len, TcpInfoDecoder.OFF_BYTES_SENT),
                        TcpInfoDecoder.u64(t, off, len, TcpInfoDecoder.OFF_BYTES_RECEIVED),
                        TcpInfoDecoder.u64(t, off, len, TcpInfoDecoder.OFF_BYTES_ACKED))
                .tcpState(TcpState.of(TcpInfoDecoder.state(t, off, len)));
        if (id >= 0) {
            b.id(id);
        }
        return b.build();
    }

    private static void putLongLE(byte[] b, int off, long v) {
        Bytes.putIntLE(b, off, (int) v);
        Bytes.putIntLE(b, off + 4, (int) (v >>> 32));
    }
}
