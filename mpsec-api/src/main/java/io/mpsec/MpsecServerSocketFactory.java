package io.mpsec;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Objects;
import javax.net.ServerSocketFactory;

/** A {@link ServerSocketFactory} that makes {@link MpsecServerSocket}s. */
public class MpsecServerSocketFactory extends ServerSocketFactory {
    private static final MpsecServerSocketFactory DEFAULT = new MpsecServerSocketFactory(FallbackPolicy.ALLOW_TCP);

    private final FallbackPolicy policy;

    /** A factory whose server sockets apply {@code policy} to accepted connections. */
    public MpsecServerSocketFactory(FallbackPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The shared factory with {@link FallbackPolicy#ALLOW_TCP}. */
    public static ServerSocketFactory getDefault() {
        return DEFAULT;
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new MpsecServerSocket(policy);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return createServerSocket(port, 50, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return createServerSocket(port, backlog, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        MpsecServerSocket s = new MpsecServerSocket(policy);
        try {
            s.bind(new java.net.InetSocketAddress(bindAddress, port), backlog);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
