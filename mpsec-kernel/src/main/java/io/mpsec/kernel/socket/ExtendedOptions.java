package io.mpsec.kernel.socket;

import io.mpsec.NativeIoException;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/**
 * The options of {@link ExtendedSocketOptions} that Linux offers on stream sockets, handled as the
 * JDK's own Linux socket does: {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTERVAL}, {@code TCP_KEEPCOUNT},
 * {@code TCP_QUICKACK} and the read-only {@code SO_INCOMING_NAPI_ID}.
 *
 * <p>Differences to a JDK socket, both forced by the kernel:
 * <ul>
 *   <li>Out-of-range values are rejected with a {@link SocketException} (the JDK gets one from the
 *       kernel's EINVAL) before the kernel socket exists, so a bad value set on an unconnected MPSec
 *       socket fails at {@code setOption}, as on a JDK socket, and not later at {@code connect}.</li>
 *   <li>{@code TCP_QUICKACK}: Linux rejects it on MPTCP sockets ({@code setsockopt} ENOPROTOOPT,
 *       {@code getsockopt} EOPNOTSUPP: net/mptcp/sockopt.c has no case for it, also after a fallback
 *       to TCP). It is therefore offered only by sockets that are plain TCP because MPTCP was
 *       unavailable; elsewhere it is absent from {@code supportedOptions()} and throws
 *       {@link UnsupportedOperationException}.</li>
 * </ul>
 */
final class ExtendedOptions {
    /** The options every MPSec socket offers (client and server, as the JDK's Linux sockets). */
    static final Set<SocketOption<?>> ALWAYS = Set.of(ExtendedSocketOptions.TCP_KEEPIDLE,
            ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT,
            ExtendedSocketOptions.SO_INCOMING_NAPI_ID);

    /** Offered only by plain-TCP sockets (see the class comment). */
    static final SocketOption<Boolean> QUICKACK = ExtendedSocketOptions.TCP_QUICKACK;

    private ExtendedOptions() {
    }

    static boolean handles(SocketOption<?> name) {
        return ALWAYS.contains(name) || name == QUICKACK;
    }

    /**
     * Checks a value the way the kernel would (include/net/tcp.h: MAX_TCP_KEEPIDLE 32767,
     * MAX_TCP_KEEPINTVL 32767, MAX_TCP_KEEPCNT 127; all at least 1), and read-only options.
     * The caller has checked the type.
     */
    static void check(SocketOption<?> name, Object value) throws SocketException {
        if (name == ExtendedSocketOptions.SO_INCOMING_NAPI_ID) {
            throw new SocketException("SO_INCOMING_NAPI_ID is read-only: the kernel sets it from the last received packet");
        }
        if (name == ExtendedSocketOptions.TCP_KEEPIDLE) {
            range(name, (Integer) value, SockOpts.MAX_TCP_KEEPIDLE, "seconds");
        } else if (name == ExtendedSocketOptions.TCP_KEEPINTERVAL) {
            range(name, (Integer) value, SockOpts.MAX_TCP_KEEPINTVL, "seconds");
        } else if (name == ExtendedSocketOptions.TCP_KEEPCOUNT) {
            range(name, (Integer) value, SockOpts.MAX_TCP_KEEPCNT, "probes");
        }
    }

    private static void range(SocketOption<?> name, int value, int max, String unit) throws SocketException {
        if (value < 1 || value > max) {
            throw new SocketException("Invalid argument: " + name + " must be 1-" + max + " " + unit
                    + " (the Linux limit), got " + value);
        }
    }

    /** Whether {@code fd} is a plain TCP socket, where TCP_QUICKACK works. */
    static boolean quickAckUsable(int fd) throws IOException {
        return Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_PROTOCOL, "SO_PROTOCOL") == Syscalls.IPPROTO_TCP;
    }

    static UnsupportedOperationException quickAckUnsupported() {
        return new UnsupportedOperationException("TCP_QUICKACK is not supported on MPTCP sockets: Linux rejects it "
                + "(ENOPROTOOPT); it works only on sockets that are plain TCP because MPTCP was unavailable");
    }

    static void set(int fd, SocketOption<?> name, Object value) throws IOException {
        if (name == QUICKACK) {
            if (!quickAckUsable(fd)) {
                throw quickAckUnsupported();
            }
            Syscalls.setsockoptInt(fd, SockOpts.SOL_TCP, SockOpts.TCP_QUICKACK, (Boolean) value ? 1 : 0, "TCP_QUICKACK");
            return;
        }
        check(name, value);
        try {
            Syscalls.setsockoptInt(fd, SockOpts.SOL_TCP, tcpOpt(name), (Integer) value, name.name());
        } catch (NativeIoException e) {
            throw unsupportedIfKernelLacks(name, e);
        }
    }

    static Object get(int fd, SocketOption<?> name) throws IOException {
        if (name == QUICKACK) {
            if (!quickAckUsable(fd)) {
                throw quickAckUnsupported();
            }
            return Syscalls.getsockoptInt(fd, SockOpts.SOL_TCP, SockOpts.TCP_QUICKACK, "TCP_QUICKACK") != 0;
        }
        try {
            if (name == ExtendedSocketOptions.SO_INCOMING_NAPI_ID) {
                return Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_INCOMING_NAPI_ID, "SO_INCOMING_NAPI_ID");
            }
            return Syscalls.getsockoptInt(fd, SockOpts.SOL_TCP, tcpOpt(name), name.name());
        } catch (NativeIoException e) {
            throw unsupportedIfKernelLacks(name, e);
        }
    }

    private static int tcpOpt(SocketOption<?> name) {
        if (name == ExtendedSocketOptions.TCP_KEEPIDLE) {
            return SockOpts.TCP_KEEPIDLE;
        }
        if (name == ExtendedSocketOptions.TCP_KEEPINTERVAL) {
            return SockOpts.TCP_KEEPINTVL;
        }
        if (name == ExtendedSocketOptions.TCP_KEEPCOUNT) {
            return SockOpts.TCP_KEEPCNT;
        }
        throw new UnsupportedOperationException("'" + name + "' not supported by MPSec sockets");
    }

    /**
     * ENOPROTOOPT / EOPNOTSUPP mean the kernel has no such option for this socket (MPTCP sockets of
     * older kernels lack the keepalive options); the JDK reports ENOPROTOOPT as
     * UnsupportedOperationException too. Other errors stay as they are.
     */
    private static IOException unsupportedIfKernelLacks(SocketOption<?> name, NativeIoException e) {
        if (e.errno() == Errno.ENOPROTOOPT || e.errno() == Errno.EOPNOTSUPP) {
            UnsupportedOperationException u = new UnsupportedOperationException(name + " is not supported on this "
                    + "socket by this kernel (" + e.getMessage() + "); MPTCP sockets need a newer Linux for it");
            u.initCause(e);
            throw u;
        }
        return e;
    }
}
