package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.FallbackPolicy;
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
import io.netty.channel.socket.SocketProtocolFamily;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MptcpChannels over IPv6 (2001:2::/48 in the testbed's namespaces), dual-stack to IPv4, and without
 * MPTCP (ALLOW_TCP keeps Netty's TCP socket, REQUIRE_MPTCP fails the channel's creation).
 */
class NettyChannelsIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    private static final int SIZE = 1 << 20;

    @Test
    void echoesAMegabyteOverIpv6Mptcp() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress server6 = addIpv6(c, s);
        echo(c, s, server6, SocketProtocolFamily.INET6, SocketProtocolFamily.INET6, "[2001:2:0:1::2]", true);
    }

    @Test
    void ipv6ClientChannelReachesAnIpv4ServerThroughAMappedAddress() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress server4 = s.address(1);
        echo(c, s, server4, SocketProtocolFamily.INET6, SocketProtocolFamily.INET, "[::ffff:" + server4.getHostAddress() + "]", true);
    }

    @Test
    void withoutMptcpAllowTcpKeepsNettysTcpSocketAndRequireMptcpFails() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        c.sysctl("net.mptcp.enabled", "0");
        Throwable refused = null;
        try {
            c.call(() -> MptcpChannels.socketChannelFactory(SocketProtocolFamily.INET6, FallbackPolicy.REQUIRE_MPTCP).newChannel());
        } catch (RuntimeException e) {
            refused = e;
        }
        assertThat(refused).isInstanceOf(io.netty.channel.ChannelException.class)
                .hasCauseInstanceOf(io.mpsec.MptcpUnavailableException.class).hasMessageContaining("net.mptcp.enabled=0");
        InetAddress server6 = addIpv6(c, s);
        echo(c, s, server6, SocketProtocolFamily.INET6, SocketProtocolFamily.INET6, "[2001:2:0:1::2]", false);
    }

    /**
     * Echo of 1 MiB of random bytes; with {@code mptcp} both ends are MPTCP and ss -M shows the
     * client's connection, without it the client is plain TCP (ALLOW_TCP) and ss -t shows it.
     */
    private static void echo(Testbed.Host c, Testbed.Host s, InetAddress serverAddr, SocketProtocolFamily clientFamily,
            SocketProtocolFamily serverFamily, String ssServer, boolean mptcp) throws Exception {
        byte[] data = new byte[SIZE];
        new Random(6).nextBytes(data);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        try {
            CompletableFuture<Boolean> childIsMptcp = new CompletableFuture<>();
            Channel server = s.call(() -> new ServerBootstrap().group(group)
                    .channelFactory(MptcpChannels.serverChannelFactory(serverFamily, FallbackPolicy.ALLOW_TCP))
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
                    .bind(serverAddr, 0).sync().channel());
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            CompletableFuture<byte[]> echoed = new CompletableFuture<>();
            Channel client = c.call(() -> new Bootstrap().group(group)
                    .channelFactory(MptcpChannels.socketChannelFactory(clientFamily,
                            mptcp ? FallbackPolicy.REQUIRE_MPTCP : FallbackPolicy.ALLOW_TCP))
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.writeAndFlush(Unpooled.wrappedBuffer(data));
                        }

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf b = (ByteBuf) msg;
                            byte[] chunk = new byte[b.readableBytes()];
                            b.readBytes(chunk);
                            b.release();
                            received.write(chunk, 0, chunk.length);
                            if (received.size() >= SIZE) {
                                echoed.complete(received.toByteArray());
                            }
                        }
                    })
                    .connect(serverAddr, port).sync().channel());
            String ssM = c.execOk("ss", "-Mn").stdout();
            String ssT = c.execOk("ss", "-tn").stdout();
            assertThat(echoed.get(20, TimeUnit.SECONDS)).as("1 MiB echoed back unchanged").isEqualTo(data);
            int fd = ((EpollSocketChannel) client).fd().intValue();
            assertThat(isMptcp(fd)).as("client TCP_IS_MPTCP").isEqualTo(mptcp);
            assertThat(Syscalls.getsockoptInt(fd, SockOpts.SOL_SOCKET, SockOpts.SO_PROTOCOL, "SO_PROTOCOL"))
                    .as("client SO_PROTOCOL").isEqualTo(mptcp ? Syscalls.IPPROTO_MPTCP : Syscalls.IPPROTO_TCP);
            assertThat(childIsMptcp.get(10, TimeUnit.SECONDS)).as("accepted child TCP_IS_MPTCP").isEqualTo(mptcp);
            assertThat(((InetSocketAddress) client.remoteAddress()).getPort()).isEqualTo(port);
            assertThat(ssT).as("ss -t shows the client's (sub)flow").contains(ssServer + ":" + port);
            if (mptcp) {
                assertThat(ssM).as("ss -M shows the client's MPTCP connection").contains(ssServer + ":" + port);
            } else {
                assertThat(ssM).as("ss -M: no MPTCP connection").doesNotContain(ssServer + ":" + port);
            }
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Puts 2001:2:0:1::1 on c and 2001:2:0:1::2 on s (path 1, no DAD); returns the server's. */
    private static InetAddress addIpv6(Testbed.Host c, Testbed.Host s) throws Exception {
        c.execOk("ip", "-6", "addr", "add", "2001:2:0:1::1/64", "dev", c.iface(1), "nodad");
        s.execOk("ip", "-6", "addr", "add", "2001:2:0:1::2/64", "dev", s.iface(1), "nodad");
        c.execOk("ping", "-6", "-c", "1", "-W", "5", "2001:2:0:1::2");
        return InetAddress.getByName("2001:2:0:1::2");
    }

    private static boolean isMptcp(int fd) {
        try {
            return Syscalls.getsockoptInt(fd, SockOpts.SOL_TCP, SockOpts.TCP_IS_MPTCP, "TCP_IS_MPTCP") != 0;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
