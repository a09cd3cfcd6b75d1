package io.mpsec.netty;

import io.mpsec.FallbackPolicy;
import io.mpsec.MptcpUnavailableException;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.FdSwap;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.socket.MptcpProbe;
import io.mpsec.kernel.socket.SockOpts;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;

/** Creates the non-blocking MPTCP descriptors that replace the TCP ones of Netty's epoll channels. */
final class MptcpSockets {
    /** Socket options Netty's channel constructors may have set on their TCP socket, copied over. */
    private static final int[][] COPIED = {
        {SockOpts.SOL_TCP, SockOpts.TCP_NODELAY}, {SockOpts.SOL_SOCKET, SockOpts.SO_REUSEADDR},
    };

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

    /**
     * Gives {@code channel}, freshly built by Netty's public constructor for {@code family} and not
     * registered yet, an MPTCP socket (or, with ALLOW_TCP where MPTCP is unavailable, leaves its TCP
     * socket). The descriptor number, the family Netty recorded and the options Netty set stay the
     * same; only the socket behind the number changes. On failure the channel is closed.
     */
    static <C extends Channel & UnixChannel> C install(C channel, SocketProtocolFamily family, FallbackPolicy policy) {
        try {
            int mptcp = open(family, policy);
            if (mptcp < 0) {
                return channel; // ALLOW_TCP and no MPTCP here: Netty's own TCP socket is the fallback
            }
            int target = channel.fd().intValue();
            try {
                for (int[] o : COPIED) {
                    int v = Syscalls.getsockoptInt(target, o[0], o[1], "copy");
                    Syscalls.setsockoptInt(mptcp, o[0], o[1], v, "copy");
                }
                FdSwap.replace(target, mptcp);
            } catch (IOException | RuntimeException e) {
                Syscalls.closeQuietly(mptcp);
                throw e;
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.unsafe().closeForcibly();
            throw e instanceof ChannelException ? (ChannelException) e
                    : new ChannelException("cannot give the Netty channel an MPTCP socket: " + e.getMessage(), e);
        }
    }

    /**
     * An MPTCP stream socket; -1 (ALLOW_TCP) when this namespace cannot create MPTCP sockets;
     * {@link ChannelException} with {@link MptcpUnavailableException} as cause under REQUIRE_MPTCP.
     */
    private static int open(SocketProtocolFamily protocolFamily, FallbackPolicy policy) {
        int fam = family(protocolFamily);
        int fd = Syscalls.socketOrErrno(fam, Syscalls.SOCK_STREAM | Syscalls.SOCK_NONBLOCK, Syscalls.IPPROTO_MPTCP);
        if (fd >= 0) {
            return fd;
        }
        if (!MptcpProbe.isUnavailable(-fd)) {
            throw new ChannelException(Errors.newException("socket(IPPROTO_MPTCP)", -fd));
        }
        if (policy == FallbackPolicy.REQUIRE_MPTCP) {
            throw new ChannelException(new MptcpUnavailableException("MPTCP required (REQUIRE_MPTCP) but unavailable: "
                    + MptcpProbe.explain(-fd, fam)));
        }
        return -1;
    }
}
