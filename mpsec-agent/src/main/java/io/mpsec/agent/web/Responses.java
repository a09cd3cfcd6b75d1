package io.mpsec.agent.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Building and sending the agent's HTTP responses (shared by /metrics, the API and the static assets). */
public final class Responses {
    /** The page's Content-Security-Policy: everything from this server, nothing from elsewhere. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private Responses() {
    }

    /** A plain-text response. */
    public static FullHttpResponse text(HttpResponseStatus status, String body) {
        return bytes(status, body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    /** A response with {@code body} of {@code contentType}. */
    public static FullHttpResponse bytes(HttpResponseStatus status, byte[] body, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return r;
    }

    /**
     * Sends {@code res} for {@code req}: adds {@code nosniff}, {@code Cache-Control: no-store} unless the
     * response set its own, the length, drops the body of a HEAD, and keeps the connection open only
     * after a 2xx/304 the client wants kept alive.
     */
    public static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
        res.headers().set("X-Content-Type-Options", "nosniff");
        if (!res.headers().contains(HttpHeaderNames.CACHE_CONTROL)) {
            res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        HttpUtil.setContentLength(res, res.content().readableBytes());
        if (req.method().equals(HttpMethod.HEAD)) {
            res.content().clear();
        }
        int code = res.status().code();
        boolean keepAlive = HttpUtil.isKeepAlive(req) && (code / 100 == 2 || code == 304);
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
