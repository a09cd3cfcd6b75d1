package io.mpsec.agent;

import io.mpsec.FallbackPolicy;
import io.mpsec.netty.MptcpChannels;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * A minimal HTTP server for {@code /metrics} (Netty's HTTP codec on the epoll transport, over MPTCP
 * with TCP fallback). It binds to loopback only: a non-loopback address is refused, because serving
 * beyond this host needs TLS and a token, which are not implemented yet. On loopback it checks the
 * Host header ({@link HostCheck}).
 */
public final class MetricsServer implements AutoCloseable {
    /** Requests larger than this are refused (only GETs are served). */
    static final int MAX_REQUEST_BYTES = 16 * 1024;
    private final EventLoopGroup group;
    private final Channel channel;
    private final int port;

    private MetricsServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
        this.port = ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Starts serving {@code scrape} (the Prometheus text, e.g. {@code registry::scrape}) at {@code /metrics}.
     *
     * @param bind a loopback address
     * @param port the port, 0 for any free one
     * @throws IllegalArgumentException when {@code bind} is not a loopback address
     * @throws IOException when epoll is unavailable or the port cannot be bound
     */
    public static MetricsServer start(InetAddress bind, int port, Supplier<String> scrape) throws IOException {
        return start(bind, port, scrape, null);
    }

    /** As {@link #start(InetAddress, int, Supplier)}, also serving the dashboard's routes ({@code web} may be null). */
    public static MetricsServer start(InetAddress bind, int port, Supplier<String> scrape,
            io.mpsec.agent.web.WebRouter web) throws IOException {
        checkBind(bind);
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
                            HostCheck hosts = new HostCheck(c.localAddress().getPort());
                            c.pipeline().addLast(new ReadTimeoutHandler(30), new HttpServerCodec(),
                                    new HttpObjectAggregator(MAX_REQUEST_BYTES), new MetricsHttpHandler(hosts, scrape, web));
                        }
                    }).bind(new InetSocketAddress(bind, port)).sync().channel();
            return new MetricsServer(group, ch);
        } catch (InterruptedException e) {
            group.shutdownGracefully();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while binding " + bind.getHostAddress() + ":" + port);
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw new IOException("cannot listen on " + bind.getHostAddress() + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Refuses any address but loopback, saying why. */
    static void checkBind(InetAddress bind) {
        if (!bind.isLoopbackAddress()) {
            throw new IllegalArgumentException("refusing to serve on " + bind.getHostAddress() + ": binding beyond "
                    + "loopback requires TLS and a token, which are not implemented yet; bind to 127.0.0.1 or ::1 (the "
                    + "default) and reach it through an SSH tunnel (ssh -L)");
        }
    }

    /** The bound port. */
    public int port() {
        return port;
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
