package io.mpsec.netty;

import io.mpsec.MptcpFallbackException;
import io.mpsec.kernel.socket.MptcpFd;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * Enforces {@code REQUIRE_MPTCP} on a Netty client channel: when the connection completes, it checks
 * that it did not fall back to TCP; if it did, the channel is closed and the user's connect promise
 * fails with {@link MptcpFallbackException}, so {@code channelActive} never reaches the application.
 */
final class FallbackGuard extends ChannelOutboundHandlerAdapter {
    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local, ChannelPromise promise) {
        ChannelPromise inner = ctx.newPromise();
        inner.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            EpollSocketChannel ch = (EpollSocketChannel) ctx.channel();
            boolean multipath;
            try {
                multipath = MptcpFd.isMultipath(ch.fd().intValue());
            } catch (IOException e) {
                ch.close();
                promise.tryFailure(e);
                return;
            }
            if (multipath) {
                ctx.pipeline().remove(this);
                promise.trySuccess();
            } else {
                ch.close();
                promise.tryFailure(new MptcpFallbackException("connection to " + remote + " fell back to plain TCP: the "
                        + "peer (or a middlebox on the path) does not support MPTCP, and the fallback policy is REQUIRE_MPTCP"));
            }
        });
        ctx.connect(remote, local, inner);
    }
}
