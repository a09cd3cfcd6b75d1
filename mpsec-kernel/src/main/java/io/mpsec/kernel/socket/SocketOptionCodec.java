package io.mpsec.kernel.socket;

import io.mpsec.FallbackPolicy;
import io.mpsec.MpsecSocketOptions;
import io.mpsec.NativeIoException;
import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** The one get/set dispatch from {@link SocketOption}s to setsockopt/getsockopt. */
final class SocketOptionCodec {
    /** SO_OOBINLINE has no StandardSocketOptions constant; the legacy java.net.SocketOptions id maps here. */
    static final SocketOption<Boolean> SO_OOBINLINE = new SocketOption<>() {
        @Override
        public String name() {
            return "SO_OOBINLINE";
        }

        @Override
        public Class<Boolean> type() {
            return Boolean.class;
        }

        @Override
        public String toString() {
            return name();
        }
    };

    static final Set<SocketOption<?>> SUPPORTED = Set.of(
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_LINGER,
            StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.IP_TOS, SO_OOBINLINE,
            MpsecSocketOptions.FALLBACK_POLICY, MpsecSocketOptions.TCP_CONGESTION, MpsecSocketOptions.TCP_IS_MPTCP,
            jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL,
            jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, jdk.net.ExtendedSocketOptions.SO_INCOMING_NAPI_ID);

    /** {@link #SUPPORTED} plus TCP_QUICKACK, which Linux offers on plain TCP sockets only (see {@link ExtendedOptions}). */
    static final Set<SocketOption<?>> SUPPORTED_TCP = with(SUPPORTED, ExtendedOptions.QUICKACK);

    static final Path AVAILABLE_CC = Path.of("/proc/sys/net/ipv4/tcp_available_congestion_control");

    private SocketOptionCodec() {
    }

    private static Set<SocketOption<?>> with(Set<SocketOption<?>> base, SocketOption<?> extra) {
        Set<SocketOption<?>> s = new java.util.HashSet<>(base);
        s.add(extra);
        return Set.copyOf(s);
    }

    @SuppressWarnings("unchecked")
    static SocketOption<Object> legacy(int optID) throws SocketException {
        SocketOption<?> o;
        switch (optID) {
            case SocketOptions.TCP_NODELAY: o = StandardSocketOptions.TCP_NODELAY; break;
            case SocketOptions.SO_KEEPALIVE: o = StandardSocketOptions.SO_KEEPALIVE; break;
            case SocketOptions.SO_SNDBUF: o = StandardSocketOptions.SO_SNDBUF; break;
            case SocketOptions.SO_RCVBUF: o = StandardSocketOptions.SO_RCVBUF; break;
            case SocketOptions.SO_REUSEADDR: o = StandardSocketOptions.SO_REUSEADDR; break;
            case SocketOptions.SO_REUSEPORT: o = StandardSocketOptions.SO_REUSEPORT; break;
            case SocketOptions.IP_TOS: o = StandardSocketOptions.IP_TOS; break;
            case SocketOptions.SO_LINGER: o = StandardSocketOptions.SO_LINGER; break;
            case SocketOptions.SO_OOBINLINE: o = SO_OOBINLINE; break;
            default:
                throw new SocketException("socket option 0x" + Integer.toHexString(optID) + " is not supported by MPSec sockets");
        }
        return (SocketOption<Object>) o;
    }

    static void validate(SocketOption<?> name, Object value) throws SocketException {
        if (!SUPPORTED_TCP.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported by MPSec sockets");
        }
        if (value == null || !name.type().isInstance(value)) {
            throw new IllegalArgumentException("invalid value for " + name + ": " + value + " (expected " + name.type().getSimpleName() + ")");
        }
        if ((name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) && (Integer) value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        if (name == StandardSocketOptions.IP_TOS && ((Integer) value < 0 || (Integer) value > 255)) {
            throw new IllegalArgumentException("IP_TOS must be 0-255, got " + value);
        }
        if (name == MpsecSocketOptions.TCP_CONGESTION) {
            String s = (String) value;
            if (s.isEmpty() || s.length() >= SockOpts.TCP_CA_NAME_MAX) {
                throw new IllegalArgumentException("congestion control name must be 1-15 characters, got '" + s + "'");
            }
        }
        if (name == MpsecSocketOptions.FALLBACK_POLICY && !(value instanceof FallbackPolicy)) {
            throw new IllegalArgumentException("FALLBACK_POLICY needs a FallbackPolicy");
        }
        ExtendedOptions.check(name, value);
    }

    static void set(int fd, SocketOption<?> name, Object value) throws IOException {
        if (name == StandardSocketOptions.SO_KEEPALIVE) {
            Syscalls.setsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_KEEPALIVE, bool(value), "SO_KEEPALIVE");
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            Syscalls.setsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_SNDBUF, (Integer) value, "SO_SNDBUF");
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            Syscalls.setsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_RCVBUF, (Integer) value, "SO_RCVBUF");
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            Syscalls.setsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_REUSEADDR, bool(value), "SO_REUSEADDR");
        } else if (name == StandardSocketOptions.SO_REUSEPORT) {
            Syscalls.setsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_REUSEPORT, bool(value), "SO_REUSEPORT");
        } else if (name == StandardSocketOptions.TCP_NODELAY) {
            Syscalls.setsockoptInt(fd, SockOpts.SOL_TCP, SockOpts.TCP_NODELAY, bool(value), "TCP_NODELAY");
        } else if (name == SO_OOBINLINE) {
            setOobInline(fd, (Boolean) value);
        } else if (name == StandardSocketOptions.IP_TOS) {
            setTos(fd, (Integer) value);
        } else if (name == StandardSocketOptions.SO_LINGER) {
            int secs = (Integer) value;
            byte[] linger = new byte[8];
            Bytes.putIntLE(linger, 0, secs >= 0 ? 1 : 0);
            Bytes.putIntLE(linger, 4, Math.max(secs, 0));
            Syscalls.setsockopt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_LINGER, linger, "SO_LINGER");
        } else if (name == MpsecSocketOptions.TCP_CONGESTION) {
            setCongestion(fd, (String) value);
        } else if (ExtendedOptions.handles(name)) {
            ExtendedOptions.set(fd, name, value);
        } else {
            throw new UnsupportedOperationException("'" + name + "' not supported by MPSec sockets");
        }
    }

    /**
     * IP_TOS on IPv4 sockets. On IPv6 sockets IPV6_TCLASS, and IP_TOS as well, which covers the
     * v4-mapped traffic of a dual-stack socket; MPTCP sockets reject IPV6_TCLASS (EOPNOTSUPP on
     * 6.x), in which case IP_TOS alone is used.
     */
    private static void setTos(int fd, int tos) throws IOException {
        int family = Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_DOMAIN, "SO_DOMAIN");
        if (family == Syscalls.AF_INET6) {
            try {
                Syscalls.setsockoptInt(fd, SockOpts.SOL_IPV6, SockOpts.IPV6_TCLASS, tos, "IPV6_TCLASS");
            } catch (NativeIoException e) {
                if (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.ENOPROTOOPT) {
                    throw e;
                }
            }
        }
        Syscalls.setsockoptInt(fd, SockOpts.SOL_IP, SockOpts.IP_TOS, tos, "IP_TOS");
    }

    /**
     * MPTCP carries no urgent data, so inline delivery changes nothing; turning it off (the default)
     * is accepted even where the kernel rejects the option on MPTCP sockets, turning it on is not.
     */
    private static void setOobInline(int fd, boolean on) throws IOException {
        try {
            Syscalls.setsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_OOBINLINE, on ? 1 : 0, "SO_OOBINLINE");
        } catch (NativeIoException e) {
            if (on || (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.ENOPROTOOPT)) {
                throw e;
            }
        }
    }

    private static void setCongestion(int fd, String name) throws IOException {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        try {
            Syscalls.setsockopt(fd, SockOpts.SOL_TCP, SockOpts.TCP_CONGESTION, b, "TCP_CONGESTION");
        } catch (NativeIoException e) {
            if (e.errno() == Errno.ENOENT) {
                SocketException s = new SocketException("unknown congestion control '" + name + "': this kernel offers "
                        + availableCongestionControls() + " (" + AVAILABLE_CC + "); load a module or pick one of these");
                s.initCause(e);
                throw s;
            }
            if (e.errno() == Errno.EPERM) {
                SocketException s = new SocketException("congestion control '" + name + "' is not in "
                        + "net.ipv4.tcp_allowed_congestion_control and this process lacks CAP_NET_ADMIN; " + e.getMessage());
                s.initCause(e);
                throw s;
            }
            throw e;
        }
    }

    /** The kernel's available congestion control names. */
    static String availableCongestionControls() {
        try {
            return "[" + String.join(", ", Files.readString(AVAILABLE_CC).trim().split("\\s+")) + "]";
        } catch (IOException e) {
            return "(unknown: " + e.getMessage() + ")";
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T get(int fd, SocketOption<T> name) throws IOException {
        Object v;
        if (name == StandardSocketOptions.SO_KEEPALIVE) {
            v = Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_KEEPALIVE, "SO_KEEPALIVE") != 0;
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            v = Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_SNDBUF, "SO_SNDBUF");
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            v = Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_RCVBUF, "SO_RCVBUF");
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            v = Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_REUSEADDR, "SO_REUSEADDR") != 0;
        } else if (name == StandardSocketOptions.SO_REUSEPORT) {
            v = Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_REUSEPORT, "SO_REUSEPORT") != 0;
        } else if (name == StandardSocketOptions.TCP_NODELAY) {
            v = Syscalls.getsockoptInt(fd, SockOpts.SOL_TCP, SockOpts.TCP_NODELAY, "TCP_NODELAY") != 0;
        } else if (name == SO_OOBINLINE) {
            v = Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_OOBINLINE, "SO_OOBINLINE") != 0;
        } else if (name == StandardSocketOptions.IP_TOS) {
            v = Syscalls.getsockoptInt(fd, SockOpts.SOL_IP, SockOpts.IP_TOS, "IP_TOS");
        } else if (name == StandardSocketOptions.SO_LINGER) {
            byte[] l = Syscalls.getsockopt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_LINGER, 8, "SO_LINGER");
            v = Bytes.intLE(l, 0) != 0 ? Bytes.intLE(l, 4) : -1;
        } else if (name == MpsecSocketOptions.TCP_CONGESTION) {
            byte[] b = Syscalls.getsockopt(fd, SockOpts.SOL_TCP, SockOpts.TCP_CONGESTION, SockOpts.TCP_CA_NAME_MAX, "TCP_CONGESTION");
            int n = 0;
            while (n < b.length && b[n] != 0) {
                n++;
            }
            v = new String(b, 0, n, StandardCharsets.US_ASCII);
        } else if (ExtendedOptions.handles(name)) {
            v = ExtendedOptions.get(fd, name);
        } else {
            throw new UnsupportedOperationException("'" + name + "' not supported by MPSec sockets");
        }
        return (T) v;
    }

    /** The value an option has on a socket not created yet (the kernel's defaults, read from a throwaway socket). */
    static <T> T defaultValue(SocketOption<T> name) throws IOException {
        int fd = Syscalls.socket(Syscalls.AF_INET, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_TCP);
        try {
            return get(fd, name);
        } finally {
            Syscalls.closeQuietly(fd);
        }
    }

    static InetSocketAddress localAddress(int fd) throws IOException {
        byte[] sa = new byte[SockAddr.SIZEOF_STORAGE];
        int[] len = {sa.length};
        if (Syscalls.libc().getsockname(fd, sa, len) < 0) {
            throw Errors.newException("getsockname", Syscalls.errno());
        }
        InetSocketAddress a = SockAddr.decode(sa, 0, len[0]);
        if (a == null) {
            throw new SocketException("getsockname returned an unsupported address family");
        }
        return a;
    }

    private static int bool(Object v) {
        return (Boolean) v ? 1 : 0;
    }
}
