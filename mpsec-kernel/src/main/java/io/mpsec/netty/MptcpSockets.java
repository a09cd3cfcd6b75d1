package io.mpsec.netty;

import io.mpsec.FallbackPolicy;
import io.mpsec.MptcpUnavailableException;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.socket.MptcpProbe;
import io.netty.channel.ChannelException;
import io.netty.channel.socket.SocketProtocolFamily;

/** Creates the non-blocking MPTCP descriptors handed to Netty's epoll channels. */
final class MptcpSockets {
    private MptcpSockets() {
    }

    static int family(SocketProtocolFamily family) {
        if (family == SocketProtocolFamily.INET6) {
            return Syscalls.AF_INET6;
        }
        if (family == SocketProtocolFamily.INET) {
            return Syscalls.AF_INET;
        }
        throw new IllegalArgumentException("MPTCP channels need INET or INET6, not " + family);
    }

    /** An MPTCP stream socket, or a TCP one (ALLOW_TCP) when this namespace cannot create MPTCP sockets. */
    static int open(SocketProtocolFamily protocolFamily, FallbackPolicy policy) {
        int fam = family(protocolFamily);
        int fd = Syscalls.socketOrErrno(fam, Syscalls.SOCK_STREAM | Syscalls.SOCK_NONBLOCK, Syscalls.IPPROTO_MPTCP);
        if (fd >= 0) {
            return fd;
        }
        if (!MptcpProbe.isUnavailable(-fd)) {
            throw new ChannelException(Errors.newException("socket(IPPROTO_MPTCP)", -fd));
        }
        String cause = MptcpProbe.explain(-fd, fam);
        if (policy == FallbackPolicy.REQUIRE_MPTCP) {
            throw new ChannelException(new MptcpUnavailableException("MPTCP required (REQUIRE_MPTCP) but unavailable: " + cause));
        }
        fd = Syscalls.socketOrErrno(fam, Syscalls.SOCK_STREAM | Syscalls.SOCK_NONBLOCK, Syscalls.IPPROTO_TCP);
        if (fd < 0) {
            throw new ChannelException("MPTCP unavailable (" + cause + ") and plain TCP failed too",
                    Errors.newException("socket(IPPROTO_TCP)", -fd));
        }
        return fd;
    }
}
