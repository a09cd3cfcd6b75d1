package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.Syscalls;

/**
 * Tells whether MPTCP sockets can be created, and if not, why, in words a user can act on.
 */
public final class MptcpProbe {
    private MptcpProbe() {
    }

    /**
     * Tries {@code socket(family, SOCK_STREAM, IPPROTO_MPTCP)} in the calling thread's network
     * namespace. Returns null when it works, else the reason.
     */
    public static String probe(int family) {
        if (Syscalls.loadError() != null) {
            return "MPSec could not bind libc through JNR-FFI: " + Syscalls.loadError();
        }
        int fd = Syscalls.socketOrErrno(family, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_MPTCP);
        if (fd >= 0) {
            Syscalls.closeQuietly(fd);
            return null;
        }
        return explain(-fd, family);
    }

    /**
     * Whether {@code errno} from {@code socket(..., IPPROTO_MPTCP)} means "MPTCP is not available
     * here" (so a plain TCP socket is the right fallback), as opposed to a resource error such as
     * EMFILE or ENOBUFS, which must be reported as it is.
     */
    public static boolean isUnavailable(int errno) {
        return errno == Errno.ENOPROTOOPT || errno == Errno.EPROTONOSUPPORT || errno == Errno.ESOCKTNOSUPPORT
                || errno == Errno.EINVAL || errno == Errno.EAFNOSUPPORT;
    }

    /** The user-facing reason for a failed {@code socket(..., IPPROTO_MPTCP)} with {@code errno}. */
    public static String explain(int errno, int family) {
        String call = Errors.message("socket(" + (family == Syscalls.AF_INET6 ? "AF_INET6" : "AF_INET")
                + ", SOCK_STREAM, IPPROTO_MPTCP)", errno);
        switch (errno) {
            case Errno.ENOPROTOOPT:
                return "MPTCP is disabled in this network namespace (net.mptcp.enabled=0); enable it with "
                        + "'sysctl -w net.mptcp.enabled=1' [" + call + "]";
            case Errno.EPROTONOSUPPORT:
            case Errno.ESOCKTNOSUPPORT:
            case Errno.EINVAL:
                return "this kernel has no MPTCP support (needs Linux 5.6+ built with CONFIG_MPTCP=y) [" + call + "]";
            case Errno.EAFNOSUPPORT:
                return "this kernel has no MPTCP support for IPv6 (needs CONFIG_MPTCP_IPV6=y) [" + call + "]";
            default:
                return "MPTCP socket creation failed [" + call + "]";
        }
    }
}
