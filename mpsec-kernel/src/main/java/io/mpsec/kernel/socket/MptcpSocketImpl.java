package io.mpsec.kernel.socket;

import io.mpsec.FallbackPolicy;
import io.mpsec.MpsecSocketOptions;
import io.mpsec.MptcpConnectionInfo;
import io.mpsec.MptcpFallbackException;
import io.mpsec.SubflowInfo;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.diag.SubflowDiag;
import io.mpsec.kernel.ffi.SocketErrors;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.spi.MpsecSocketImpl;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The native {@link SocketImpl} behind MPSec sockets: an {@code IPPROTO_MPTCP} stream socket driven
 * through JNR-FFI.
 *
 * <p>The descriptor starts in blocking mode: a platform thread without a timeout blocks in the
 * syscall itself, as in C. The first timed call or virtual thread switches it to non-blocking for good,
 * and from then on blocking semantics come from {@code poll(2)} or the {@link Poller}. A close from
 * another thread wakes blocked calls in either mode (see {@link FdHandle}). The kernel
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
    private volatile Cleaner.Cleanable cleanable;

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
            SocketOpener.Opened opened = SocketOpener.open(fam, fallbackPolicy, server, pendingOptions);
            FdHandle h = new FdHandle(opened.fd(), false);
            fallbackCause = opened.fallbackCause();
            pendingOptions.clear();
            family = fam;
            handle = h;
            guard(h);
            markCreated();
            return h;
        }
    }

    private void markCreated() {
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
        Cleaner.Cleanable c = cleanable;
        if (c != null) {
            c.clean(); // the handle is closed already, so this counts nothing
        }
    }

    @Override
    public boolean isClosed() {
        FdHandle h = handle;
        // an interrupted virtual thread closes the handle itself (FdHandle.await)
        return closed || (h != null && h.isClosed());
    }

    /** Closes {@code h} if this socket becomes unreachable unclosed, and counts it (see {@link SocketLeaks}). */
    private void guard(FdHandle h) {
        cleanable = SocketLeaks.register(this, h);
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

    void timeoutMillis(int millis) {
        timeoutMillis = millis;
    }

    /** The bound local address (SO_BINDADDR), or the wildcard before the socket exists. */
    InetAddress localAddressOrWildcard() throws IOException {
        return handle == null ? InetAddress.getByName("0.0.0.0")
                : withFd(fd -> SocketOptionCodec.localAddress(fd).getAddress());
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
                BlockingCalls.connect(h, fd, SockAddr.encode(target, family), SockAddr.describe(target), timeout);
                address = ip;
                port = target.getPort();
                localport = SocketOptionCodec.localAddress(fd).getPort();
            } finally {
                h.release();
            }
            if (fallbackPolicy == FallbackPolicy.REQUIRE_MPTCP && !isMultipath()) {
                throw new MptcpFallbackException("connection to " + SockAddr.describe(target) + " fell back to plain TCP: the peer "
                        + "(or a middlebox on the path) does not support MPTCP, and the fallback policy is REQUIRE_MPTCP");
            }
        } catch (IOException | RuntimeException e) {
            // as the JDK does: a socket whose connect failed is closed
            close();
            throw e;
        }
    }

    @Override
    protected void bind(InetAddress host, int lport) throws IOException {
        InetAddress ip = host != null ? host : InetAddress.getByName("0.0.0.0");
        boolean wildcard = ip.isAnyLocalAddress();
        // Like the JDK, a wildcard bind gives a dual-stack socket (IPv6 with IPV6_V6ONLY=0), which
        // serves IPv4 peers (as v4-mapped addresses) and IPv6 peers alike.
        int fam = handle != null ? family : wildcard ? SocketOpener.wildcardFamily() : SockAddr.family(ip);
        FdHandle h = ensureCreated(fam);
        int fd = h.acquire();
        try {
            InetAddress bindIp = wildcard && family == Syscalls.AF_INET6 ? InetAddress.getByName("::") : ip;
            InetSocketAddress local = new InetSocketAddress(bindIp, lport);
            byte[] sa = SockAddr.encode(local, family);
            if (Syscalls.libc().bind(fd, sa, sa.length) < 0) {
                throw SocketErrors.connect("bind(" + SockAddr.describe(local) + ")", Syscalls.errno());
            }
            InetSocketAddress bound = SocketOptionCodec.localAddress(fd);
            localport = bound.getPort();
            if (server) {
                address = wildcard ? ip : bound.getAddress();
            }
        } finally {
            h.release();
        }
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
            int[] len = {sa.length};
            int nfd = BlockingCalls.accept(h, fd, sa, len, Deadline.after(timeoutMillis, acceptDeadline()));
            target.adoptAccepted(nfd, family, SockAddr.decode(sa, 0, len[0]));
        } finally {
            h.release();
        }
    }

    private void adoptAccepted(int nfd, int fam, InetSocketAddress remote) throws IOException {
        synchronized (stateLock) {
            handle = new FdHandle(nfd, false);
            guard(handle);
            family = fam;
            markCreated();
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
    public int read(ByteBuffer dst) throws IOException {
        return ((NativeInputStream) getInputStream()).read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return ((NativeOutputStream) getOutputStream()).write(src);
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
        boolean plainTcp;
        try {
            plainTcp = handle != null && withFd(ExtendedOptions::quickAckUsable);
        } catch (IOException e) {
            plainTcp = false;
        }
        return plainTcp ? SocketOptionCodec.SUPPORTED_TCP : SocketOptionCodec.SUPPORTED;
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
                if (name == ExtendedOptions.QUICKACK) {
                    throw ExtendedOptions.quickAckUnsupported(); // the socket will be MPTCP where it matters
                }
                pendingOptions.put(name, value);
                return;
            }
        }
        withFd(fd -> {
            SocketOptionCodec.set(fd, name, value);
            return null;
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        if (!SocketOptionCodec.SUPPORTED_TCP.contains(name)) {
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
                if (name == ExtendedOptions.QUICKACK) {
                    throw ExtendedOptions.quickAckUnsupported();
                }
                Object v = pendingOptions.get(name);
                return v != null ? (T) v : SocketOptionCodec.defaultValue(name);
            }
        }
        return withFd(fd -> SocketOptionCodec.get(fd, name));
    }

    /** Legacy {@link SocketOptions} entry point used by {@code java.net.Socket}'s setters. */
    @Override
    public void setOption(int optID, Object value) throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
        LegacyOptions.set(this, optID, value);
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
        return LegacyOptions.get(this, optID);
    }
}
