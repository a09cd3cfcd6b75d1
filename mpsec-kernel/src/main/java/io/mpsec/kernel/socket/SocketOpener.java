package io.mpsec.kernel.socket;

import io.mpsec.FallbackPolicy;
import io.mpsec.MptcpUnavailableException;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.net.SocketOption;
import java.util.Map;

/**
 * Creates the kernel socket behind an MPSec socket: {@code IPPROTO_MPTCP} when this namespace offers
 * it, else plain TCP (ALLOW_TCP, with the reason recorded) or an {@link MptcpUnavailableException}
 * (REQUIRE_MPTCP). Resource errors such as EMFILE are reported as they are, never taken for
 * "MPTCP unavailable".
 */
final class SocketOpener {
    /** A created, configured socket in blocking mode (see {@link FdHandle#nonBlocking}), and why it is TCP if it is. */
    record Opened(int fd, String fallbackCause) {
    }

    private SocketOpener() {
    }

    /**
     * Opens a stream socket of {@code family}, dual-stack for AF_INET6, with SO_REUSEADDR for
     * servers (as the JDK does), and applies {@code options} set before it existed. Nothing is left
     * open on failure.
     */
    static Opened open(int family, FallbackPolicy policy, boolean server, Map<SocketOption<?>, Object> options)
            throws IOException {
        int fd = Syscalls.socketOrErrno(family, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_MPTCP);
        String cause = null;
        if (fd < 0) {
            if (!MptcpProbe.isUnavailable(-fd)) {
                throw Errors.newException("socket(IPPROTO_MPTCP)", -fd);
            }
            cause = MptcpProbe.explain(-fd, family);
            if (policy == FallbackPolicy.REQUIRE_MPTCP) {
                throw new MptcpUnavailableException("MPTCP required (REQUIRE_MPTCP) but unavailable: " + cause);
            }
            fd = Syscalls.socket(family, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_TCP);
        }
        try {
            if (family == Syscalls.AF_INET6) {
                Syscalls.setsockoptInt(fd, SockOpts.SOL_IPV6, SockOpts.IPV6_V6ONLY, 0, "IPV6_V6ONLY");
            }
            if (server) {
                // a restarted server can rebind while old connections linger
                Syscalls.setsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_REUSEADDR, 1, "SO_REUSEADDR");
            }
            for (Map.Entry<SocketOption<?>, Object> e : options.entrySet()) {
                SocketOptionCodec.set(fd, e.getKey(), e.getValue());
            }
        } catch (IOException | RuntimeException e) {
            Syscalls.closeQuietly(fd);
            throw e;
        }
        return new Opened(fd, cause);
    }

    /**
     * The family of a wildcard-bound socket: AF_INET6 (dual-stack) when IPv6 MPTCP sockets can be
     * created; AF_INET when IPv6 is missing or MPTCP has no IPv6 support (so MPTCP is kept on IPv4);
     * when MPTCP is off altogether the socket will be TCP, dual-stack if IPv6 TCP exists.
     */
    static int wildcardFamily() {
        int fd = Syscalls.socketOrErrno(Syscalls.AF_INET6, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_MPTCP);
        if (fd >= 0) {
            Syscalls.closeQuietly(fd);
            return Syscalls.AF_INET6;
        }
        if (-fd == Errno.EAFNOSUPPORT) {
            return Syscalls.AF_INET;
        }
        int tcp = Syscalls.socketOrErrno(Syscalls.AF_INET6, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_TCP);
        if (tcp >= 0) {
            Syscalls.closeQuietly(tcp);
            return Syscalls.AF_INET6;
        }
        return Syscalls.AF_INET;
    }
}
