package io.mpsec.kernel.socket;

import io.mpsec.MptcpConnectionInfo;
import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.pm.KernelVersion;
import java.io.IOException;

/**
 * Whether a connected socket runs MPTCP on kernels without TCP_IS_MPTCP (before 6.10), from what
 * the kernel answers to other getsockopt calls. net/mptcp/sockopt.c, {@code mptcp_getsockopt()}:
 * once a connection has fallen back, every getsockopt is passed to the one TCP subflow
 * ({@code tcp_getsockopt}), which hands unknown levels such as SOL_MPTCP to {@code ip_getsockopt}:
 * EOPNOTSUPP. Measured on 6.18 and in the 6.1 kernel lane. The chain:
 * <ol>
 * <li>SO_PROTOCOL is not IPPROTO_MPTCP: a TCP socket (MPTCP was unavailable when it was created);</li>
 * <li>MPTCP_INFO succeeds: MPTCP, unless MPTCP_INFO_FLAG_FALLBACK is set;</li>
 * <li>MPTCP_INFO fails with EOPNOTSUPP on a kernel that has MPTCP_INFO (5.16+; probed once on a
 *     fresh, unconnected MPTCP socket): the connection fell back to TCP;</li>
 * <li>on 5.6-5.15, which have no SOL_MPTCP getsockopt, an MPTCP socket answers EOPNOTSUPP to
 *     everything but a fallen-back one passes SOL_TCP calls to TCP: getsockopt(SOL_TCP,
 *     TCP_NODELAY) succeeds only after a fallback. (No kernel before 6.1 can be booted here, so
 *     this step is covered by {@code MultipathChainTest} only.)</li>
 * </ol>
 */
final class MultipathChain {
    private static volatile Boolean kernelHasMptcpInfo;

    private MultipathChain() {
    }

    /** Runs the chain on the connected socket {@code fd} (held by the caller). */
    static boolean isMultipath(int fd) throws IOException {
        if (Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_PROTOCOL, "SO_PROTOCOL") != Syscalls.IPPROTO_MPTCP) {
            return false;
        }
        byte[] info = new byte[MptcpInfoDecoder.SIZEOF_LATEST];
        int[] len = {info.length};
        int errno = Syscalls.libc().getsockopt(fd, SockOpts.SOL_MPTCP, SockOpts.MPTCP_INFO, info, len) < 0 ? Syscalls.errno() : 0;
        Boolean answer = fromMptcpInfo(errno, errno == 0 && len[0] >= 12 ? Bytes.intLE(info, 8) : 0, kernelHasMptcpInfo());
        if (answer != null) {
            return answer;
        }
        byte[] v = new byte[4];
        int[] vlen = {4};
        int tcpErrno = Syscalls.libc().getsockopt(fd, SockOpts.SOL_TCP, SockOpts.TCP_NODELAY, v, vlen) < 0 ? Syscalls.errno() : 0;
        return fromTcpLevel(tcpErrno);
    }

    /**
     * Steps 2-3, given the result of {@code getsockopt(SOL_MPTCP, MPTCP_INFO)}: true / false, or
     * null when only the TCP level can tell (step 4, kernels before 5.16).
     */
    static Boolean fromMptcpInfo(int errno, int flags, boolean kernelHasMptcpInfo) throws IOException {
        if (errno == 0) {
            return (flags & MptcpConnectionInfo.FLAG_FALLBACK) == 0;
        }
        if (errno != Errno.EOPNOTSUPP && errno != Errno.ENOPROTOOPT) {
            throw Errors.newException("getsockopt(MPTCP_INFO)", errno);
        }
        return kernelHasMptcpInfo ? Boolean.FALSE : null;
    }

    /** Step 4, given the result of {@code getsockopt(SOL_TCP, TCP_NODELAY)} on a kernel before 5.16. */
    static boolean fromTcpLevel(int errno) throws IOException {
        if (errno == 0) {
            return false; // TCP answered: the connection fell back
        }
        if (errno == Errno.EOPNOTSUPP) {
            return true; // the MPTCP socket itself refused: 5.6-5.15 answer nothing at SOL_TCP
        }
        throw Errors.newException("getsockopt(TCP_NODELAY)", errno);
    }

    /**
     * Whether this kernel answers getsockopt(SOL_MPTCP, MPTCP_INFO) (5.16+): probed once on a fresh
     * MPTCP socket, which has not fallen back; by kernel version when no MPTCP socket can be made
     * (MPTCP disabled in the calling thread's namespace).
     */
    static boolean kernelHasMptcpInfo() {
        Boolean known = kernelHasMptcpInfo;
        if (known != null) {
            return known;
        }
        int fd = Syscalls.socketOrErrno(Syscalls.AF_INET, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_MPTCP);
        if (fd < 0) {
            return KernelVersion.current().atLeast(5, 16);
        }
        try {
            byte[] info = new byte[MptcpInfoDecoder.SIZEOF_LATEST];
            int[] len = {info.length};
            boolean has = Syscalls.libc().getsockopt(fd, SockOpts.SOL_MPTCP, SockOpts.MPTCP_INFO, info, len) == 0;
            kernelHasMptcpInfo = has;
            return has;
        } finally {
            Syscalls.closeQuietly(fd);
        }
    }
}
