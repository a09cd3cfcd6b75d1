package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecServerSocketFactory;
import io.mpsec.MpsecSocket;
import io.mpsec.MpsecSocketFactory;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.netty.MptcpChannels;
import io.mpsec.testbed.Testbed;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Code that only knows javax.net factories, and Netty's epoll transport, run over MPTCP. */
class FactoryAndNettyIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    /** Stands in for a library that accepts a SocketFactory (an HTTP client, a JDBC driver). */
    static String fetchGreeting(SocketFactory factory, InetSocketAddress server) throws Exception {
        try (Socket s = factory.createSocket()) {
            s.connect(server, 5000);
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void socketFactoryClientRunsOverMptcp() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        ServerSocketFactory ssf = MpsecServerSocketFactory.getDefault();
        try (ServerSocket server = s.call(() -> ssf.createServerSocket(0, 50, addr))) {
            assertThat(server).isInstanceOf(MpsecServerSocket.class);
            CompletableFuture<Boolean> serverSide = CompletableFuture.supplyAsync(() -> {
                try (Socket peer = server.accept(); InputStream in = peer.getInputStream()) {
                    boolean mp = ((MpsecSocket) peer).isMultipath();
                    in.readAllBytes();
                    peer.getOutputStream().write(("hi " + mp).getBytes(StandardCharsets.US_ASCII));
                    return mp;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String reply = c.call(() -> fetchGreeting(MpsecSocketFactory.getDefault(), new InetSocketAddress(addr, server.getLocalPort())));
            assertThat(reply).isEqualTo("hi true");
            assertThat(serverSide.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void nettyEchoOverMptcpChannels() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        try {
            CompletableFuture<Boolean> childIsMptcp = new CompletableFuture<>();
            Channel server = s.call(() -> new ServerBootstrap().group(group)
                    .channelFactory(MptcpChannels.serverChannelFactory())
                    .childHandler(new ChannelInitializer<EpollSocketChannel>() {
                        @Override
                        protected void initChannel(EpollSocketChannel ch) {
                            childIsMptcp.complete(isMptcp(ch.fd().intValue()));
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);
                                }
                            });
                        }
                    })
                    .bind(addr, 0).sync().channel());
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            CompletableFuture<Boolean> activeFired = new CompletableFuture<>();
            Channel client = c.call(() -> new Bootstrap().group(group)
                    .channelFactory(MptcpChannels.socketChannelFactory())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            activeFired.complete(true);
                            ctx.writeAndFlush(Unpooled.copiedBuffer("ping over mptcp", StandardCharsets.US_ASCII));
                        }

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            echoed.complete(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
                            ((ByteBuf) msg).release();
                        }
                    })
                    .connect(addr, port).sync().channel());
            assertThat(activeFired.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("ping over mptcp");
            assertThat(isMptcp(((EpollSocketChannel) client).fd().intValue())).as("client channel TCP_IS_MPTCP").isTrue();
            assertThat(childIsMptcp.get(10, TimeUnit.SECONDS)).as("accepted child TCP_IS_MPTCP").isTrue();
            String ss = c.execOk("ss", "-Mn").stdout();
            assertThat(ss).as("ss -M shows the client's MPTCP socket").contains(addr.getHostAddress() + ":" + port);
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void nettyRequireMptcpFailsTheConnectToAPlainTcpPeer() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (ServerSocket plain = s.call(() -> new ServerSocket(0, 50, addr))) {
            CompletableFuture<Boolean> activeFired = new CompletableFuture<>();
            io.netty.channel.ChannelFuture f = c.call(() -> new Bootstrap().group(group)
                    .channelFactory(MptcpChannels.socketChannelFactory(io.netty.channel.socket.SocketProtocolFamily.INET,
                            io.mpsec.FallbackPolicy.REQUIRE_MPTCP))
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            activeFired.complete(true);
                        }
                    })
                    .connect(addr, plain.getLocalPort()));
            assertThat(f.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(f.isSuccess()).isFalse();
            assertThat(f.cause()).isInstanceOf(io.mpsec.MptcpFallbackException.class).hasMessageContaining("REQUIRE_MPTCP");
            assertThat(f.channel().closeFuture().await(5, TimeUnit.SECONDS)).as("channel closed").isTrue();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static boolean isMptcp(int fd) {
        try {
            return Syscalls.getsockoptInt(fd, SockOpts.SOL_TCP, SockOpts.TCP_IS_MPTCP, "TCP_IS_MPTCP") != 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
