package io.mpsec.agent;

import io.mpsec.FallbackPolicy;
import io.mpsec.agent.http.AccessPolicy;
import io.mpsec.agent.http.AuthHandler;
import io.mpsec.netty.MptcpChannels;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The agent's HTTP server (Netty's HTTP codec on the epoll transport, over MPTCP with TCP fallback).
 * Each connection's pipeline is: TLS ({@code SslHandler}, when configured), a 30 s read timeout (named
 * {@link AuthHandler#READ_TIMEOUT}), the HTTP codec, an aggregator ({@link #MAX_REQUEST_BYTES}), the
 * {@link AuthHandler} (Host check, token, sessions) and then the application handler, a new one per
 * connection from the supplier given to {@link #start}: it receives only {@code FullHttpRequest}s that
 * passed the Host check and authentication.
 *
 * <p>Binding beyond loopback needs both TLS and a token: {@link #checkBind} refuses it otherwise.
 */
public final class MetricsServer implements AutoCloseable {
    /** Requests larger than this are refused. */
    static final int MAX_REQUEST_BYTES = 16 * 1024;
    private final EventLoopGroup group;
    private final Channel channel;
    private final int port;
    private final boolean tls;

    private MetricsServer(EventLoopGroup group, Channel channel, boolean tls) {
        this.group = group;
        this.channel = channel;
        this.port = ((InetSocketAddress) channel.localAddress()).getPort();
        this.tls = tls;
    }

    /**
     * Starts serving.
     *
     * @param bind the address to listen on
     * @param port the port, 0 for any free one
     * @param tls the TLS context, {@code null} for plain HTTP (loopback only)
     * @param access who may use the server
     * @param app makes the application handler of each connection (the dashboard router, or
     *        {@code MetricsHttpHandler})
     * @throws IllegalArgumentException when {@code bind} is not loopback and TLS or the token is missing
     * @throws IOException when epoll is unavailable or the port cannot be bound
     */
    public static MetricsServer start(InetAddress bind, int port, SslContext tls, AccessPolicy access,
            Supplier<? extends ChannelHandler> app) throws IOException {
        checkBind(bind, tls != null, access.requiresToken());
        Objects.requireNonNull(app, "app");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range; use 1-65535, or 0 for any free port");
        }
        if (!Epoll.isAvailable()) {
            throw new IOException("Netty's epoll transport is unavailable: " + Epoll.unavailabilityCause());
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            SocketProtocolFamily family = bind instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
            Channel ch = new ServerBootstrap().group(group)
                    .channelFactory(MptcpChannels.serverChannelFactory(family, FallbackPolicy.ALLOW_TCP))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            Predicate<String> hosts = bind.isLoopbackAddress()
                                    ? new HostCheck(c.localAddress().getPort())::allows : host -> true;
                            if (tls != null) {
                                c.pipeline().addLast("tls", tls.newHandler(c.alloc()));
                            }
                            c.pipeline().addLast(AuthHandler.READ_TIMEOUT, new ReadTimeoutHandler(30));
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                    new AuthHandler(access, hosts), app.get());
                        }
                    }).bind(new InetSocketAddress(bind, port)).sync().channel();
            return new MetricsServer(group, ch, tls != null);
        } catch (InterruptedException e) {
            group.shutdownGracefully();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while binding " + bind.getHostAddress() + ":" + port);
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw new IOException("cannot listen on " + bind.getHostAddress() + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Refuses a bind beyond loopback without TLS and a token, saying what to add. */
    static void checkBind(InetAddress bind, boolean tls, boolean token) {
        if (bind.isLoopbackAddress() || tls && token) {
            return;
        }
        String missing = !tls && !token ? "TLS (--tls-cert, --tls-key) and a token (--token-file)"
                : !tls ? "TLS (--tls-cert FILE --tls-key FILE)" : "a token (--token-file FILE, mode 0600)";
        throw new IllegalArgumentException("refusing to serve on " + bind.getHostAddress() + " without " + missing
                + ": binding beyond loopback requires TLS and a token. Give them, or bind to 127.0.0.1 or ::1 (the "
                + "default) and reach the agent through an SSH tunnel (ssh -L)");
    }

    /** The bound port. */
    public int port() {
        return port;
    }

    /** Whether the server speaks TLS. */
    public boolean isTls() {
        return tls;
    }

    /** Blocks until the server is closed. */
    public void awaitClose() throws InterruptedException {
        channel.closeFuture().sync();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
