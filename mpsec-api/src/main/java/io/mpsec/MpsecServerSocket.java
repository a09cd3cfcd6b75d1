package io.mpsec;

import io.mpsec.spi.MpsecProvider;
import io.mpsec.spi.MpsecSocketImpl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ServerSocket} that listens with MPTCP. It serves MPTCP clients and plain-TCP clients
 * alike (the kernel makes the latter fall back); {@link #accept()} returns {@link MpsecSocket}s whose
 * {@link MpsecSocket#isMultipath()} says which kind each peer is.
 *
 * <p>With {@link FallbackPolicy#REQUIRE_MPTCP}, connections that fell back to TCP are closed at
 * accept time and counted in {@link #rejectedFallbacks()}; {@code accept} waits for the next one.
 */
public class MpsecServerSocket extends ServerSocket {
    private final MpsecSocketImpl impl;
    private final AtomicLong rejectedFallbacks = new AtomicLong();

    /** An unbound server socket with {@link FallbackPolicy#ALLOW_TCP}. */
    public MpsecServerSocket() throws IOException {
        this(FallbackPolicy.ALLOW_TCP);
    }

    /** An unbound server socket with the given policy for accepted connections. */
    public MpsecServerSocket(FallbackPolicy policy) throws IOException {
        this(MpsecProvider.get().newSocketImpl(), policy);
    }

    /** Listens on the wildcard address and {@code port} (0 = any free port), backlog 50. */
    public MpsecServerSocket(int port) throws IOException {
        this(port, 50, null);
    }

    /** Listens on the wildcard address and {@code port} with {@code backlog}. */
    public MpsecServerSocket(int port, int backlog) throws IOException {
        this(port, backlog, null);
    }

    /** Listens on {@code bindAddress} (null = wildcard) and {@code port} with {@code backlog}. */
    public MpsecServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        this(port, backlog, bindAddress, FallbackPolicy.ALLOW_TCP);
    }

    /** Listens on the wildcard address and {@code port}, backlog 50, with the given policy for accepted connections. */
    public MpsecServerSocket(int port, FallbackPolicy policy) throws IOException {
        this(port, 50, null, policy);
    }

    /**
     * Listens on {@code bindAddress} (null = wildcard) and {@code port} with {@code backlog}, with the
     * given policy for accepted connections.
     */
    public MpsecServerSocket(int port, int backlog, InetAddress bindAddress, FallbackPolicy policy) throws IOException {
        this(policy);
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range: " + port + " (0-65535)");
        }
        try {
            bind(new InetSocketAddress(bindAddress, port), backlog);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private MpsecServerSocket(MpsecSocketImpl impl, FallbackPolicy policy) throws IOException {
        super(impl);
        this.impl = impl;
        impl.markServerSocket();
        impl.configureFallbackPolicy(Objects.requireNonNull(policy, "policy"));
    }

    /**
     * Waits for a connection and returns it as an {@link MpsecSocket}. Honors {@code SO_TIMEOUT}
     * ({@link java.net.SocketTimeoutException}) and {@link #close()} from another thread.
     */
    @Override
    public MpsecSocket accept() throws IOException {
        if (isClosed()) {
            throw new java.net.SocketException("Socket is closed");
        }
        if (!isBound()) {
            throw new java.net.SocketException("Socket is not bound yet");
        }
        if (impl.fallbackPolicy() != FallbackPolicy.REQUIRE_MPTCP) {
            MpsecSocket socket = new MpsecSocket(MpsecProvider.get().newSocketImpl(), impl.fallbackPolicy());
            implAccept(socket);
            return socket;
        }
        // REQUIRE_MPTCP: skip fallen-back peers, within one SO_TIMEOUT for the whole call. The
        // deadline is this thread's own: SO_TIMEOUT, which concurrent acceptors share, is never changed.
        int timeout = getSoTimeout();
        long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000L : 0;
        MpsecSocketImpl.acceptDeadline(deadline);
        try {
            while (true) {
                MpsecSocket socket = new MpsecSocket(MpsecProvider.get().newSocketImpl(), FallbackPolicy.REQUIRE_MPTCP);
                implAccept(socket);
                boolean multipath;
                try {
                    multipath = socket.isMultipath();
                } catch (IOException e) {
                    multipath = false; // the peer is already gone (reset): skip it like a fallback
                }
                if (multipath) {
                    return socket;
                }
                rejectedFallbacks.incrementAndGet();
                socket.close();
                if (deadline != 0 && deadline - System.nanoTime() <= 0) {
                    throw new java.net.SocketTimeoutException("Accept timed out (only plain-TCP peers arrived, "
                            + "rejected by REQUIRE_MPTCP)");
                }
            }
        } finally {
            MpsecSocketImpl.acceptDeadline(0);
        }
    }

    /** Connections closed by {@link FallbackPolicy#REQUIRE_MPTCP} because they fell back to TCP. */
    public long rejectedFallbacks() {
        return rejectedFallbacks.get();
    }

    /** The policy applied to accepted connections. */
    public FallbackPolicy fallbackPolicy() {
        return impl.fallbackPolicy();
    }

    /** Whether the listening socket itself is MPTCP (false when MPTCP is unavailable on this host). */
    public boolean isMultipath() throws IOException {
        return impl.isMultipath();
    }

    /** Why the listener is plain TCP, or null. */
    public String fallbackCause() {
        return impl.fallbackCause();
    }

}
