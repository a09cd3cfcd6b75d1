package io.mpsec;

import io.mpsec.spi.MpsecProvider;
import io.mpsec.spi.MpsecSocketImpl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Socket} that connects with Multipath TCP (MPTCP, RFC 8684) and falls back to plain TCP
 * when the peer does not speak it.
 *
 * <pre>{@code
 * try (MpsecSocket socket = new MpsecSocket("198.18.1.2", 5000)) {
 *     socket.getOutputStream().write(data);
 *     System.out.println(socket.isMultipath() + " over " + socket.connectionInfo().pathsInUse() + " paths");
 * }
 * }</pre>
 *
 * <p>It is a real {@code java.net.Socket}: streams, timeouts ({@code SO_TIMEOUT} gives
 * {@link java.net.SocketTimeoutException} and leaves the socket usable), half-close, standard socket
 * options, and {@link #close()} from another thread unblocks a blocked read or write with a
 * {@link SocketException}. Code that takes a {@code Socket} works unchanged. Which paths the
 * connection uses is decided by the kernel's MPTCP path manager (see {@code io.mpsec.pm}).
 *
 * <p>With {@link FallbackPolicy#REQUIRE_MPTCP}, a connection that fell back to TCP, or a host without
 * MPTCP, makes {@code connect} throw {@link MptcpUnavailableException}.
 */
public class MpsecSocket extends Socket {
    private final MpsecSocketImpl impl;

    /** An unconnected socket with {@link FallbackPolicy#ALLOW_TCP}. */
    public MpsecSocket() throws SocketException {
        this(FallbackPolicy.ALLOW_TCP);
    }

    /** An unconnected socket with the given fallback policy. */
    public MpsecSocket(FallbackPolicy policy) throws SocketException {
        this(MpsecProvider.get().newSocketImpl(), policy);
    }

    /** Connects to {@code host:port} with {@link FallbackPolicy#ALLOW_TCP}. */
    public MpsecSocket(String host, int port) throws IOException {
        this(host, port, FallbackPolicy.ALLOW_TCP);
    }

    /** Connects to {@code host:port} with the given fallback policy. */
    public MpsecSocket(String host, int port, FallbackPolicy policy) throws IOException {
        this(policy);
        connectOrClose(resolve(host, port), null);
    }

    /** Connects to {@code address:port} with {@link FallbackPolicy#ALLOW_TCP}. */
    public MpsecSocket(InetAddress address, int port) throws IOException {
        this(address, port, FallbackPolicy.ALLOW_TCP);
    }

    /** Connects to {@code address:port} with the given fallback policy. */
    public MpsecSocket(InetAddress address, int port, FallbackPolicy policy) throws IOException {
        this(policy);
        connectOrClose(new InetSocketAddress(Objects.requireNonNull(address, "address"), port), null);
    }

    /** Binds to {@code localAddress:localPort}, then connects to {@code host:port}. */
    public MpsecSocket(String host, int port, InetAddress localAddress, int localPort) throws IOException {
        this(FallbackPolicy.ALLOW_TCP);
        connectOrClose(resolve(host, port), new InetSocketAddress(localAddress, localPort));
    }

    MpsecSocket(MpsecSocketImpl impl, FallbackPolicy policy) throws SocketException {
        super(impl);
        this.impl = impl;
        impl.configureFallbackPolicy(Objects.requireNonNull(policy, "policy"));
    }

    private static InetSocketAddress resolve(String host, int port) throws UnknownHostException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new UnknownHostException(host);
        }
        return address;
    }

    private void connectOrClose(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        try {
            if (local != null) {
                bind(local);
            }
            connect(remote);
        } catch (IOException | RuntimeException e) {
            try {
                close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Whether the connection runs MPTCP right now. {@code false} when the peer (or a middlebox) made
     * it fall back to TCP, or when the socket was created as TCP because MPTCP is unavailable.
     */
    public boolean isMultipath() throws IOException {
        return impl.isMultipath();
    }

    /**
     * The connection's MPTCP state ({@code MPTCP_INFO}): subflow counts, token, byte counters.
     *
     * @throws SocketException when the connection is not MPTCP (see {@link #isMultipath()})
     */
    public MptcpConnectionInfo connectionInfo() throws IOException {
        return impl.connectionInfo();
    }

    /** The TCP subflows of the connection with their addresses, RTT, cwnd and byte counters. */
    public List<SubflowInfo> subflows() throws IOException {
        return impl.subflows();
    }

    /**
     * Reads bytes into {@code dst}, from its position, as a blocking {@code ReadableByteChannel}
     * would: waits for at least one byte (honoring {@code SO_TIMEOUT}), advances the position by the
     * count, returns -1 at end of stream. A direct buffer is filled by the kernel with no copy (a heap
     * buffer too). Do not mix with reads through {@link #getInputStream()} on other threads.
     *
     * @throws IllegalArgumentException if {@code dst} is read-only
     */
    public int read(ByteBuffer dst) throws IOException {
        checkConnected();
        if (isInputShutdown()) {
            return -1;
        }
        return impl.read(Objects.requireNonNull(dst, "dst"));
    }

    /**
     * Writes all remaining bytes of {@code src}, blocking until the kernel took them, as a blocking
     * {@code WritableByteChannel} would, and advances its position to its limit. The kernel reads a
     * direct or heap buffer in place (no copy).
     */
    public int write(ByteBuffer src) throws IOException {
        checkConnected();
        if (isOutputShutdown()) {
            throw new SocketException("Socket output is shutdown");
        }
        return impl.write(Objects.requireNonNull(src, "src"));
    }

    private void checkConnected() throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isConnected()) {
            throw new SocketException("Socket is not connected");
        }
    }

    /** Why this socket is plain TCP although it was created as an MPSec socket, if it is. */
    public Optional<String> fallbackCause() {
        return Optional.ofNullable(impl.fallbackCause());
    }

    /** The fallback policy of this socket. */
    public FallbackPolicy fallbackPolicy() {
        return impl.fallbackPolicy();
    }

    @Override
    public String toString() {
        String base = super.toString();
        return isClosed() ? base : base.replace("Socket[", "MpsecSocket[");
    }
}
