package io.mpsec.netty;

import io.mpsec.FallbackPolicy;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFactory;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import java.lang.reflect.Field;

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
 *     .channelFactory(MptcpChannels.socketChannelFactory())
 *     .handler(...).connect(host, port);
 * }</pre>
 *
 * <p>The channels are Netty's own {@link EpollSocketChannel} / {@link EpollServerSocketChannel},
 * built with their public file-descriptor constructors around an {@code IPPROTO_MPTCP} socket.
 * Children accepted by an MPTCP listener are MPTCP sockets too (the kernel makes them so), or plain
 * TCP when the client does not speak MPTCP.
 */
public final class MptcpChannels {
    private static final Field ACTIVE = activeField();

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
        return () -> new EpollServerSocketChannel(MptcpSockets.open(family, policy));
    }

    /** A new, unconnected MPTCP client channel. */
    public static EpollSocketChannel newSocketChannel(SocketProtocolFamily family, FallbackPolicy policy) {
        EpollSocketChannel ch = new EpollSocketChannel(MptcpSockets.open(family, policy));
        // Netty's fd constructor treats a socket with SO_ERROR == 0 as connected ("active"). Ours is
        // not connected yet; without this, channelActive would fire at registration, reads would start
        // on an unconnected socket, and channelActive would never fire after connect.
        try {
            ACTIVE.setBoolean(ch, false);
        } catch (IllegalAccessException e) {
            ch.unsafe().closeForcibly();
            throw new ChannelException("cannot prepare an unconnected MPTCP channel for this Netty version", e);
        }
        if (policy == FallbackPolicy.REQUIRE_MPTCP) {
            ch.pipeline().addFirst("mpsec-fallback-guard", new FallbackGuard());
        }
        return ch;
    }

    private static Field activeField() {
        try {
            Field f = Class.forName("io.netty.channel.epoll.AbstractEpollChannel").getDeclaredField("active");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("this Netty version has no AbstractEpollChannel.active field; "
                    + "MPSec supports netty-transport-native-epoll 4.2.x: " + e);
        }
    }
}
