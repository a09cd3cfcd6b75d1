package io.mpsec.agent.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The responses the authentication layer writes itself (errors, the login page, redirects). */
final class Responses {
    private Responses() {
    }

    static FullHttpResponse of(HttpResponseStatus status, String contentType, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return r;
    }

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        return of(status, "text/plain; charset=utf-8", body);
    }

    static FullHttpResponse json(HttpResponseStatus status, String json) {
        return of(status, "application/json", json);
    }

    static FullHttpResponse html(HttpResponseStatus status, String html) {
        FullHttpResponse r = of(status, "text/html; charset=utf-8", html);
        r.headers().set("Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        return r;
    }

    static FullHttpResponse redirect(String location) {
        FullHttpResponse r = text(HttpResponseStatus.SEE_OTHER, "see " + location + "\n");
        r.headers().set(HttpHeaderNames.LOCATION, location);
        return r;
    }

    /** Adds the headers every response of the agent carries, then writes it and closes the connection. */
    static void sendAndClose(ChannelHandlerContext ctx, FullHttpResponse r) {
        r.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().set("X-Frame-Options", "DENY");
        r.headers().set("Referrer-Policy", "no-referrer");
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setContentLength(r, r.content().readableBytes());
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    /** The login page: a form that POSTs the token to {@code /login}; {@code message} is plain text (escaped). */
    static String loginPage(String message) {
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>MPSec agent: log in</title>\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<style>body{font-family:sans-serif;max-width:28em;margin:4em auto;padding:0 1em}"
                + "input{font-size:1em;padding:.4em;width:100%;box-sizing:border-box;margin:.3em 0}"
                + ".msg{color:#a00}</style></head>\n<body><h1>MPSec agent</h1>\n"
                + (message == null ? "" : "<p class=\"msg\">" + escape(message) + "</p>\n")
                + "<form method=\"post\" action=\"/login\">\n"
                + "<label for=\"token\">Access token (the content of the agent's token file)</label>\n"
                + "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required autofocus>\n"
                + "<input type=\"submit\" value=\"Log in\">\n</form>\n"
                + "<p>API clients send <code>Authorization: Bearer TOKEN</code> instead.</p>\n</body></html>\n";
    }

    static final String UNAUTHORIZED_JSON = "{\"error\":\"unauthorized\",\"how\":\"send the header 'Authorization: Bearer TOKEN' "
            + "(TOKEN: the content of the agent's token file), or open /login in a browser and enter the token once to get "
            + "a session cookie\"}\n";

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
