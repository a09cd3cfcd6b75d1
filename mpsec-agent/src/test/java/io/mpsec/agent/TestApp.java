package io.mpsec.agent;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A stand-in for the dashboard router, plugged in behind the authentication layer the way the real
 * one is: {@code /} a page, {@code /api/events} a server-sent event stream (five ticks, 100 ms apart),
 * {@code /metrics} the registry.
 */
final class TestApp extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Supplier<String> scrape;

    TestApp(Supplier<String> scrape) {
        this.scrape = scrape;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = new QueryStringDecoder(req.uri()).path();
        if (path.equals("/api/events")) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
            ctx.writeAndFlush(head);
            for (int i = 0; i < 5; i++) {
                int n = i;
                ctx.executor().schedule(() -> {
                    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("data: tick " + n + "\n\n",
                            StandardCharsets.UTF_8)));
                    if (n == 4) {
                        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
                    }
                }, 100L * (i + 1), TimeUnit.MILLISECONDS);
            }
            return;
        }
        FullHttpResponse r;
        if (path.equals("/")) {
            r = response(HttpResponseStatus.OK, "text/html; charset=utf-8", "<!doctype html><h1>MPSec dashboard</h1>\n");
        } else if (path.equals("/metrics")) {
            r = response(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", scrape.get());
        } else {
            r = response(HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n");
        }
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private static FullHttpResponse response(HttpResponseStatus s, String type, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, s, Unpooled.copiedBuffer(body,
                StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }
}
