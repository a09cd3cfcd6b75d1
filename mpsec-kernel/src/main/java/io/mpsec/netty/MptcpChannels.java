package io.mpsec.netty;

import io.mpsec.FallbackPolicy;
import io.netty.channel.ChannelFactory;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;

/**
 * Channel factories that give Netty's epoll transport MPTCP sockets. Netty is an optional
 * dependency of MPSec: add {@code io.netty:netty-transport-native-epoll} (classifier
 * {@code linux-x86_64}) to use them.
 *
 * <pre>{@code
 * new ServerBootstrap().group(boss, workers)
 *     .channelFactory(MptcpChannels.serverChannelFactory())
 *     .childHandler(...).bind(port);
 * new Bootstrap().group(workers)
 *     .channelFactory(MptcpChannels.socketChannelFactory(SocketProtocolFamily.INET6, FallbackPolicy.ALLOW_TCP))
 *     .handler(...).connect("2001:db8::1", port);
 * }</pre>
 *
 * <p>The channels are Netty's own {@link EpollSocketChannel} / {@link EpollServerSocketChannel},
 * built with their public constructors for the chosen family; before the channel is registered,
 * MPSec puts an {@code IPPROTO_MPTCP} socket of the same family behind the channel's descriptor
 * number ({@code dup3(2)}), copying the options Netty's constructor set. Netty's view of the channel
 * (unconnected, IPv4 or IPv6) stays true, and no Netty internals are touched. Children accepted by an
 * MPTCP listener are MPTCP sockets too (the kernel makes them so), or plain TCP when the client does
 * not speak MPTCP.
 *
 * <p>IPv6: pass {@link SocketProtocolFamily#INET6}. Such a socket is dual-stack (unless
 * {@code net.ipv6.bindv6only} is set), so it reaches IPv4 peers too, through IPv4-mapped addresses,
 * as Netty's own IPv6 channels do. The factories without a family are IPv4.
 */
public final class MptcpChannels {
    private MptcpChannels() {
    }

    /** IPv4 MPTCP client channels, falling back to TCP when MPTCP is unavailable. */
    public static ChannelFactory<EpollSocketChannel> socketChannelFactory() {
        return socketChannelFactory(SocketProtocolFamily.INET, FallbackPolicy.ALLOW_TCP);
    }

    /** MPTCP client channels of {@code family} (INET or INET6). */
    public static ChannelFactory<EpollSocketChannel> socketChannelFactory(SocketProtocolFamily family, FallbackPolicy policy) {
        MptcpSockets.family(family);
        return () -> newSocketChannel(family, policy);
    }

    /** IPv4 MPTCP server channels, falling back to TCP when MPTCP is unavailable. */
    public static ChannelFactory<EpollServerSocketChannel> serverChannelFactory() {
        return serverChannelFactory(SocketProtocolFamily.INET, FallbackPolicy.ALLOW_TCP);
    }

    /** MPTCP server channels of {@code family} (INET or INET6). */
    public static ChannelFactory<EpollServerSocketChannel> serverChannelFactory(SocketProtocolFamily family, FallbackPolicy policy) {
        MptcpSockets.family(family);
        return () -> MptcpSockets.install(new EpollServerSocketChannel(family), family, policy);
    }

    /** A new, unconnected MPTCP client channel of {@code family} (INET or INET6). */
    public static EpollSocketChannel newSocketChannel(SocketProtocolFamily family, FallbackPolicy policy) {
        MptcpSockets.family(family);
        EpollSocketChannel ch = MptcpSockets.install(new EpollSocketChannel(family), family, policy);
        if (policy == FallbackPolicy.REQUIRE_MPTCP) {
            ch.pipeline().addFirst("mpsec-fallback-guard", new FallbackGuard());
        }
        return ch;
    }
}
