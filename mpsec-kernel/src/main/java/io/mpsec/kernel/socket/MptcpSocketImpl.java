package io.mpsec.kernel.socket;

import io.mpsec.FallbackPolicy;
import io.mpsec.MpsecSocketOptions;
import io.mpsec.MptcpConnectionInfo;
import io.mpsec.MptcpFallbackException;
import io.mpsec.MptcpUnavailableException;
import io.mpsec.SubflowInfo;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.diag.SubflowDiag;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.spi.MpsecSocketImpl;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The native {@link SocketImpl} behind MPSec sockets: an {@code IPPROTO_MPTCP} stream socket driven
 * through JNR-FFI.
 *
 * <p>The descriptor is non-blocking; blocking semantics come from {@code poll(2)}, which is what
 * makes {@code SO_TIMEOUT} and close-from-another-thread work (see {@link FdHandle}). The kernel
 * socket is created lazily, at {@code bind} or {@code connect}, when the address family is known;
 * options set before that are applied right after creation.
 */
public final class MptcpSocketImpl extends MpsecSocketImpl {
    private final Object stateLock = new Object();
    private final Map<SocketOption<?>, Object> pendingOptions = new LinkedHashMap<>();
    private volatile FdHandle handle;
    private volatile int family;
    private volatile boolean closed;
    private volatile boolean server;
    private volatile int timeoutMillis;
    private volatile FallbackPolicy fallbackPolicy = FallbackPolicy.ALLOW_TCP;
    private volatile String fallbackCause;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private NativeInputStream in;
    private NativeOutputStream out;

    public MptcpSocketImpl() {
    }

    // ---- lifecycle -------------------------------------------------------------------------

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("MPSec sockets are stream sockets; datagram sockets are not supported");
        }
    }

    /** Creates the kernel socket for {@code fam} if not yet created; returns the handle. */
    private FdHandle ensureCreated(int fam) throws IOException {
        synchronized (stateLock) {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            if (handle != null) {
                return handle;
            }
            int fd = Syscalls.socketOrErrno(fam, Syscalls.SOCK_STREAM | Syscalls.SOCK_NONBLOCK, Syscalls.IPPROTO_MPTCP);
            if (fd < 0 && !MptcpProbe.isUnavailable(-fd)) {
                throw Errors.newException("socket(IPPROTO_MPTCP)", -fd);
            }
            if (fd < 0) {
                String cause = MptcpProbe.explain(-fd, fam);
                if (fallbackPolicy == FallbackPolicy.REQUIRE_MPTCP) {
                    throw new MptcpUnavailableException("MPTCP required (REQUIRE_MPTCP) but unavailable: " + cause);
                }
                fd = Syscalls.socket(fam, Syscalls.SOCK_STREAM | Syscalls.SOCK_NONBLOCK, Syscalls.IPPROTO_TCP);
                fallbackCause = cause;
            }
            FdHandle h = new FdHandle(fd);
            try {
                if (fam == Syscalls.AF_INET6) {
                    Syscalls.setsockoptInt(fd, SockOpts.SOL_IPV6, SockOpts.IPV6_V6ONLY, 0, "IPV6_V6ONLY");
                }
                if (server) {
                    // like the JDK's ServerSocket: a restarted server can rebind while old connections linger
                    Syscalls.setsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_REUSEADDR, 1, "SO_REUSEADDR");
                }
                for (Map.Entry<SocketOption<?>, Object> e : pendingOptions.entrySet()) {
                    SocketOptionCodec.set(fd, e.getKey(), e.getValue());
                }
            } catch (IOException | RuntimeException e) {
                Syscalls.closeQuietly(fd);
                throw e;
            }
            pendingOptions.clear();
            family = fam;
            handle = h;
            fd(fd);
            return h;
        }
    }

    private void fd(int fdNumber) {
        // java.net.Socket only checks that fd is non-null; the number itself never leaves MPSec
        this.fd = new FileDescriptor();
    }

    @Override
    protected void close() throws IOException {
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        FdHandle h = handle;
        if (h != null) {
            h.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    FdHandle handleOrThrow() throws SocketException {
        FdHandle h = handle;
        if (closed || h == null) {
            throw new SocketException(closed ? "Socket closed" : "Socket is not connected");
        }
        return h;
    }

    /** Runs {@code op} on the descriptor, holding it against a concurrent close. */
    private <T> T withFd(FdOperation<T> op) throws IOException {
        FdHandle h = handleOrThrow();
        int fd = h.acquire();
        try {
            return op.apply(fd);
        } finally {
            h.release();
        }
    }

    /** An operation on a held descriptor. */
    @FunctionalInterface
    private interface FdOperation<T> {
        T apply(int fd) throws IOException;
    }

    int timeoutMillis() {
        return timeoutMillis;
    }

    boolean inputShutdown() {
        return inputShutdown;
    }

    boolean outputShutdown() {
        return outputShutdown;
    }

    // ---- connect / bind / listen / accept --------------------------------------------------

    @Override
    protected void connect(String host, int port) throws IOException {
        InetSocketAddress a = new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw new UnknownHostException(host);
        }
        connect(a, 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    @Override
    protected void connect(SocketAddress remote, int timeout) throws IOException {
        if (!(remote instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("unsupported address type: " + remote);
        }
        InetSocketAddress target = (InetSocketAddress) remote;
        if (target.isUnresolved()) {
            throw new UnknownHostException(target.getHostString());
        }
        InetAddress ip = target.getAddress();
        if (ip.isAnyLocalAddress()) {
            // as the JDK does: connecting to the wildcard address means this host
            ip = InetAddress.getLoopbackAddress();
            target = new InetSocketAddress(ip, target.getPort());
        }
        try {
            FdHandle h = ensureCreated(handle != null ? family : SockAddr.family(ip));
            if (family == Syscalls.AF_INET && !(ip instanceof java.net.Inet4Address)) {
                throw new SocketException("cannot connect an IPv4 socket to IPv6 address " + ip.getHostAddress());
            }
            int fd = h.acquire();
            try {
                doConnect(h, fd, target, timeout);
                address = ip;
                port = target.getPort();
                localport = SocketOptionCodec.localAddress(fd).getPort();
            } finally {
                h.release();
            }
            if (fallbackPolicy == FallbackPolicy.REQUIRE_MPTCP && !isMultipath()) {
                throw new MptcpFallbackException("connection to " + describe(target) + " fell back to plain TCP: the peer "
                        + "(or a middlebox on the path) does not support MPTCP, and the fallback policy is REQUIRE_MPTCP");
            }
        } catch (IOException | RuntimeException e) {
            // as the JDK does: a socket whose connect failed is closed
            close();
            throw e;
        }
    }

    private void doConnect(FdHandle h, int fd, InetSocketAddress target, int timeout) throws IOException {
        byte[] sa = SockAddr.encode(target, family);
        int rc = Syscalls.libc().connect(fd, sa, sa.length);
        if (rc == 0) {
            return;
        }
        int e = Syscalls.errno();
        if (e != Errno.EINPROGRESS && e != Errno.EINTR) {
            throw Errors.newException("connect(" + describe(target) + ")", e);
        }
        int revents = Syscalls.poll(fd, Syscalls.POLLOUT, timeout > 0 ? timeout : -1);
        if (h.isClosed()) {
            throw new SocketException("Socket closed");
        }
        if (revents == 0) {
            throw new SocketTimeoutException("Connect timed out after " + timeout + " ms to " + describe(target));
        }
        int err = Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_ERROR, "SO_ERROR");
        if (err != 0) {
            throw Errors.newException("connect(" + describe(target) + ")", err);
        }
    }

    private static String describe(InetSocketAddress a) {
        String ip = a.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }

    @Override
    protected void bind(InetAddress host, int lport) throws IOException {
        InetAddress ip = host != null ? host : InetAddress.getByName("0.0.0.0");
        boolean wildcard = ip.isAnyLocalAddress();
        // Like the JDK, a wildcard bind gives a dual-stack socket (IPv6 with IPV6_V6ONLY=0), which
        // serves IPv4 peers (as v4-mapped addresses) and IPv6 peers alike.
        int fam = handle != null ? family : wildcard ? wildcardFamily() : SockAddr.family(ip);
        FdHandle h = ensureCreated(fam);
        int fd = h.acquire();
        try {
            InetAddress bindIp = wildcard && family == Syscalls.AF_INET6 ? InetAddress.getByName("::") : ip;
            InetSocketAddress local = new InetSocketAddress(bindIp, lport);
            Syscalls.bind(fd, SockAddr.encode(local, family), describe(local));
            InetSocketAddress bound = SocketOptionCodec.localAddress(fd);
            localport = bound.getPort();
            if (server) {
                address = wildcard ? ip : bound.getAddress();
            }
        } finally {
            h.release();
        }
    }

    /**
     * The family of a wildcard-bound socket: AF_INET6 (dual-stack) when IPv6 MPTCP sockets can be
     * created; AF_INET when IPv6 is missing or MPTCP has no IPv6 support (so MPTCP is kept on IPv4);
     * when MPTCP is off altogether the socket will be TCP, dual-stack if IPv6 TCP exists.
     */
    private static int wildcardFamily() {
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

    @Override
    protected void listen(int backlog) throws IOException {
        withFd(fd -> {
            Syscalls.listen(fd, backlog < 1 ? 50 : backlog);
            return null;
        });
    }

    @Override
    protected void accept(SocketImpl si) throws IOException {
        if (!(si instanceof MptcpSocketImpl)) {
            throw new IllegalArgumentException("accept target must be an MPSec socket, not " + si.getClass().getName());
        }
        MptcpSocketImpl target = (MptcpSocketImpl) si;
        FdHandle h = handleOrThrow();
        int fd = h.acquire();
        try {
            byte[] sa = new byte[SockAddr.SIZEOF_STORAGE];
            int timeout = timeoutMillis;
            long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000L : 0;
            while (true) {
                int[] len = {sa.length};
                int nfd = Syscalls.libc().accept4(fd, sa, len, Syscalls.SOCK_NONBLOCK | Syscalls.SOCK_CLOEXEC);
                if (nfd >= 0) {
                    target.adoptAccepted(nfd, family, SockAddr.decode(sa, 0, len[0]));
                    return;
                }
                int e = Syscalls.errno();
                if (h.isClosed()) {
                    throw new SocketException("Socket closed");
                }
                if (e == Errno.ECONNABORTED || e == Errno.EINTR) {
                    continue;
                }
                if (e != Errno.EAGAIN) {
                    throw Errors.newException("accept", e);
                }
                int wait = -1;
                if (timeout > 0) {
                    wait = (int) ((deadline - System.nanoTime()) / 1_000_000L);
                    if (wait <= 0) {
                        throw new SocketTimeoutException("Accept timed out");
                    }
                }
                int revents = Syscalls.poll(fd, Syscalls.POLLIN, wait);
                if (h.isClosed()) {
                    throw new SocketException("Socket closed");
                }
                if (revents == 0 && timeout > 0 && System.nanoTime() >= deadline) {
                    throw new SocketTimeoutException("Accept timed out");
                }
            }
        } finally {
            h.release();
        }
    }

    private void adoptAccepted(int nfd, int fam, InetSocketAddress remote) throws IOException {
        synchronized (stateLock) {
            handle = new FdHandle(nfd);
            family = fam;
            fd(nfd);
        }
        address = remote != null ? remote.getAddress() : null;
        port = remote != null ? remote.getPort() : 0;
        localport = SocketOptionCodec.localAddress(nfd).getPort();
    }

    // ---- streams ---------------------------------------------------------------------------

    @Override
    protected InputStream getInputStream() throws IOException {
        synchronized (stateLock) {
            handleOrThrow();
            if (in == null) {
                in = new NativeInputStream(this);
            }
            return in;
        }
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        synchronized (stateLock) {
            handleOrThrow();
            if (out == null) {
                out = new NativeOutputStream(this);
            }
            return out;
        }
    }

    @Override
    protected int available() throws IOException {
        if (inputShutdown) {
            handleOrThrow();
            return 0;
        }
        return withFd(fd -> {
            int[] n = new int[1];
            if (Syscalls.libc().ioctl(fd, Syscalls.FIONREAD, n) < 0) {
                throw Errors.newException("ioctl(FIONREAD)", Syscalls.errno());
            }
            return n[0];
        });
    }

    @Override
    protected void shutdownInput() throws IOException {
        shutdown(Syscalls.SHUT_RD);
        inputShutdown = true;
    }

    @Override
    protected void shutdownOutput() throws IOException {
        shutdown(Syscalls.SHUT_WR);
        outputShutdown = true;
    }

    private void shutdown(int how) throws IOException {
        withFd(fd -> {
            if (Syscalls.libc().shutdown(fd, how) < 0) {
                int e = Syscalls.errno();
                if (e != Errno.ENOTCONN) {
                    throw Errors.newException("shutdown", e);
                }
            }
            return null;
        });
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("urgent (out-of-band) data is not supported by MPTCP sockets");
    }

    @Override
    protected boolean supportsUrgentData() {
        return false;
    }

    // ---- MPTCP -----------------------------------------------------------------------------

    @Override
    public boolean isMultipath() throws IOException {
        return handle != null && withFd(MptcpIntrospection::isMultipath);
    }

    @Override
    public MptcpConnectionInfo connectionInfo() throws IOException {
        return withFd(MptcpIntrospection::connectionInfo);
    }

    @Override
    public List<SubflowInfo> subflows() throws IOException {
        return withFd(fd -> MptcpIntrospection.isMultipath(fd)
                ? SubflowDiag.withBackupFlags(fd, MptcpIntrospection.subflows(fd))
                : List.of());
    }

    @Override
    public String fallbackCause() {
        return fallbackCause;
    }

    @Override
    public FallbackPolicy fallbackPolicy() {
        return fallbackPolicy;
    }

    @Override
    public void configureFallbackPolicy(FallbackPolicy policy) {
        this.fallbackPolicy = policy;
    }

    @Override
    public void markServerSocket() {
        server = true;
    }

    // ---- options ---------------------------------------------------------------------------

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return SocketOptionCodec.SUPPORTED;
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        SocketOptionCodec.validate(name, value);
        if (name == MpsecSocketOptions.FALLBACK_POLICY) {
            fallbackPolicy = (FallbackPolicy) value;
            return;
        }
        if (name == MpsecSocketOptions.TCP_IS_MPTCP) {
            throw new UnsupportedOperationException("TCP_IS_MPTCP is read-only");
        }
        synchronized (stateLock) {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            if (handle == null) {
                pendingOptions.put(name, value);
                return;
            }
        }
        FdHandle h = handle;
        int fd = h.acquire();
        try {
            SocketOptionCodec.set(fd, name, value);
        } finally {
            h.release();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        if (!SocketOptionCodec.SUPPORTED.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (name == MpsecSocketOptions.FALLBACK_POLICY) {
            return (T) fallbackPolicy;
        }
        if (name == MpsecSocketOptions.TCP_IS_MPTCP) {
            return (T) Boolean.valueOf(isMultipath());
        }
        synchronized (stateLock) {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            if (handle == null) {
                Object v = pendingOptions.get(name);
                return v != null ? (T) v : SocketOptionCodec.defaultValue(name);
            }
        }
        FdHandle h = handle;
        int fd = h.acquire();
        try {
            return SocketOptionCodec.get(fd, name);
        } finally {
            h.release();
        }
    }

    /** Legacy {@link SocketOptions} entry point used by {@code java.net.Socket}'s setters. */
    @Override
    public void setOption(int optID, Object value) throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
        if (optID == SocketOptions.SO_TIMEOUT) {
            if (!(value instanceof Integer) || (Integer) value < 0) {
                throw new IllegalArgumentException("SO_TIMEOUT must be a non-negative Integer, got " + value);
            }
            timeoutMillis = (Integer) value;
            return;
        }
        try {
            if (optID == SocketOptions.SO_LINGER) {
                setOption(java.net.StandardSocketOptions.SO_LINGER, value instanceof Integer ? (Integer) value : -1);
                return;
            }
            SocketOption<Object> option = SocketOptionCodec.legacy(optID);
            setOption(option, value);
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            SocketException s = new SocketException(e.getMessage());
            s.initCause(e);
            throw s;
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
        try {
            switch (optID) {
                case SocketOptions.SO_TIMEOUT:
                    return timeoutMillis;
                case SocketOptions.SO_BINDADDR: {
                    FdHandle h = handle;
                    if (h == null) {
                        return InetAddress.getByName("0.0.0.0");
                    }
                    int fd = h.acquire();
                    try {
                        return SocketOptionCodec.localAddress(fd).getAddress();
                    } finally {
                        h.release();
                    }
                }
                case SocketOptions.SO_LINGER: {
                    int v = getOption(java.net.StandardSocketOptions.SO_LINGER);
                    return v < 0 ? (Object) Boolean.FALSE : (Object) v;
                }
                default:
                    return getOption(SocketOptionCodec.legacy(optID));
            }
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            SocketException s = new SocketException(e.getMessage());
            s.initCause(e);
            throw s;
        }
    }
}
