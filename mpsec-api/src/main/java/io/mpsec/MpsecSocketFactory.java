package io.mpsec;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * A {@link SocketFactory} that makes {@link MpsecSocket}s, so that clients which accept a socket
 * factory (HTTP clients, JDBC drivers, mail clients) get MPTCP without code changes.
 *
 * <pre>{@code
 * SocketFactory factory = MpsecSocketFactory.getDefault();
 * try (Socket s = factory.createSocket("198.18.1.2", 8080)) { ... }
 * }</pre>
 */
public class MpsecSocketFactory extends SocketFactory {
    private static final MpsecSocketFactory DEFAULT = new MpsecSocketFactory(FallbackPolicy.ALLOW_TCP);

    private final FallbackPolicy policy;

    /** A factory whose sockets use {@code policy}. */
    public MpsecSocketFactory(FallbackPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The shared factory with {@link FallbackPolicy#ALLOW_TCP}. */
    public static SocketFactory getDefault() {
        return DEFAULT;
    }

    /** An unconnected {@link MpsecSocket}; many clients call this and then {@code connect} with a timeout. */
    @Override
    public Socket createSocket() throws IOException {
        return new MpsecSocket(policy);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return new MpsecSocket(host, port, policy);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        MpsecSocket s = new MpsecSocket(policy);
        return bindAndConnect(s, new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return new MpsecSocket(host, port, policy);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        MpsecSocket s = new MpsecSocket(policy);
        return bindAndConnect(s, new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
    }

    private static Socket bindAndConnect(MpsecSocket s, InetSocketAddress local, InetSocketAddress remote) throws IOException {
        try {
            if (remote.isUnresolved()) {
                throw new java.net.UnknownHostException(remote.getHostString());
            }
            s.bind(local);
            s.connect(remote);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
