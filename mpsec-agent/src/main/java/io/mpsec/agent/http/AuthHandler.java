package io.mpsec.agent.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The authentication layer in front of the application handler (the dashboard router, {@code /metrics}):
 * one per connection, after {@code HttpObjectAggregator}. A request that passes goes on unchanged
 * ({@code fireChannelRead}); any other is answered here.
 *
 * <ol>
 *   <li>Malformed requests: 400. A Host header the policy refuses (loopback binds, DNS rebinding): 403.</li>
 *   <li>No token configured (loopback only): everything passes.</li>
 *   <li>{@code GET /login}: the login page. {@code POST /login} with the form field {@code token}: when it
 *       matches, a new session and a {@code 303} to {@code /} with the session cookie ({@code HttpOnly;
 *       SameSite=Strict; Path=/}, and {@code Secure} under TLS); otherwise 401 and the page again.
 *       {@code POST /logout} ends the session.</li>
 *   <li>{@code Authorization: Bearer TOKEN} that matches, or a live session cookie: passes.</li>
 *   <li>Anything else: 401 with {@code WWW-Authenticate: Bearer}, and a body saying how to authenticate
 *       (the login page for browsers, JSON otherwise). After repeated failures a client gets 429.</li>
 * </ol>
 *
 * <p>Failures are logged as {@code http.auth.failure} with the peer, the method used and the reason,
 * never with the presented token or a session id. Requests for {@code text/event-stream} lose the
 * connection's read timeout (named {@link #READ_TIMEOUT}) once authorized: an EventSource never writes
 * after its request.
 */
public final class AuthHandler extends ChannelInboundHandlerAdapter {
    /** The name of the pipeline's read-timeout handler, removed for authorized event streams. */
    public static final String READ_TIMEOUT = "read-timeout";
    static final String LOGIN = "/login";
    static final String LOGOUT = "/logout";
    private final AccessPolicy policy;
    private final Predicate<String> hostAllowed;

    /**
     * A handler enforcing {@code policy}.
     *
     * @param hostAllowed the Host header check: {@code HostCheck} on loopback binds (DNS rebinding); on
     *        other binds the token is the guard and any Host may pass
     */
    public AuthHandler(AccessPolicy policy, Predicate<String> hostAllowed) {
        this.policy = policy;
        this.hostAllowed = hostAllowed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean pass = false;
        try {
            pass = handle(ctx, req);
        } finally {
            if (pass) {
                ctx.fireChannelRead(req);
            } else {
                ReferenceCountUtil.release(req);
            }
        }
    }

    /** Answers {@code req} or returns true when it may pass to the application. */
    private boolean handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            Responses.sendAndClose(ctx, Responses.text(HttpResponseStatus.BAD_REQUEST, "malformed request\n"));
            return false;
        }
        if (!hostAllowed.test(req.headers().get(HttpHeaderNames.HOST))) {
            Responses.sendAndClose(ctx, Responses.text(HttpResponseStatus.FORBIDDEN, "this server answers only to Host "
                    + "localhost, 127.0.0.1 or [::1] with its port (DNS rebinding protection)\n"));
            return false;
        }
        if (!policy.requiresToken()) {
            return authorized(ctx, req);
        }
        String path = new QueryStringDecoder(req.uri()).path();
        InetAddress peer = peer(ctx);
        long wait = policy.throttle().retryAfterSeconds(peer);
        if (wait > 0) {
            FullHttpResponse r = Responses.text(HttpResponseStatus.TOO_MANY_REQUESTS,
                    "too many failed authentications from this address; try again in " + wait + " s\n");
            r.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(wait));
            Responses.sendAndClose(ctx, r);
            return false;
        }
        if (path.equals(LOGIN)) {
            login(ctx, req, peer);
            return false;
        }
        if (path.equals(LOGOUT) && req.method().equals(HttpMethod.POST)) {
            String id = sessionId(req);
            policy.sessions().end(id);
            FullHttpResponse r = Responses.redirect(LOGIN);
            r.headers().add(HttpHeaderNames.SET_COOKIE, cookie("", 0));
            Responses.sendAndClose(ctx, r);
            return false;
        }
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (auth != null) {
            if (auth.regionMatches(true, 0, "Bearer ", 0, 7) && policy.token().matches(auth.substring(7).trim())) {
                return authorized(ctx, req);
            }
            fail(ctx, req, peer, auth.regionMatches(true, 0, "Bearer ", 0, 7) ? "bearer" : "authorization",
                    auth.regionMatches(true, 0, "Bearer ", 0, 7) ? "wrong token" : "unsupported scheme (use Bearer)");
            return false;
        }
        String id = sessionId(req);
        if (id != null) {
            if (policy.sessions().isValid(id)) {
                return authorized(ctx, req);
            }
            // an expired session is normal; it is not counted as a guess
            policy.log().info("http.auth.failure").with("peer", peerText(ctx)).with("via", "cookie")
                    .with("reason", "unknown or expired session").with("path", path).write();
            unauthorized(ctx, req, null);
            return false;
        }
        unauthorized(ctx, req, null);
        return false;
    }

    private boolean authorized(ChannelHandlerContext ctx, FullHttpRequest req) {
        String accept = req.headers().get(HttpHeaderNames.ACCEPT);
        if (accept != null && accept.toLowerCase(Locale.ROOT).contains("text/event-stream")
                && ctx.pipeline().get(READ_TIMEOUT) != null) {
            ctx.pipeline().remove(READ_TIMEOUT);
        }
        return true;
    }

    private void login(ChannelHandlerContext ctx, FullHttpRequest req, InetAddress peer) {
        if (req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD)) {
            Responses.sendAndClose(ctx, Responses.html(HttpResponseStatus.OK, Responses.loginPage(null)));
            return;
        }
        if (!req.method().equals(HttpMethod.POST)) {
            FullHttpResponse r = Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET or POST\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD, POST");
            Responses.sendAndClose(ctx, r);
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (origin != null && !origin.equalsIgnoreCase((policy.secure() ? "https://" : "http://") + host)) {
            policy.log().warn("http.auth.failure").with("peer", peerText(ctx)).with("via", "login")
                    .with("reason", "cross-origin login form").write();
            Responses.sendAndClose(ctx, Responses.text(HttpResponseStatus.FORBIDDEN,
                    "the login form must be posted from this server's own page\n"));
            return;
        }
        String body = req.content().toString(StandardCharsets.UTF_8);
        List<String> values = new QueryStringDecoder(body, StandardCharsets.UTF_8, false).parameters().get("token");
        String presented = values == null || values.size() != 1 ? null : values.get(0).trim();
        if (presented == null || !policy.token().matches(presented)) {
            policy.throttle().failed(peer);
            policy.log().warn("http.auth.failure").with("peer", peerText(ctx)).with("via", "login")
                    .with("reason", presented == null ? "no token field" : "wrong token").write();
            Responses.sendAndClose(ctx, Responses.html(HttpResponseStatus.UNAUTHORIZED,
                    Responses.loginPage("That is not the agent's token.")));
            return;
        }
        String id = policy.sessions().create();
        policy.log().info("http.login").with("peer", peerText(ctx)).write();
        FullHttpResponse r = Responses.redirect("/");
        r.headers().add(HttpHeaderNames.SET_COOKIE, cookie(id, policy.sessions().lifetime().toSeconds()));
        Responses.sendAndClose(ctx, r);
    }

    private String cookie(String value, long maxAge) {
        DefaultCookie c = new DefaultCookie(policy.cookieName(), value);
        c.setHttpOnly(true);
        c.setSecure(policy.secure());
        c.setSameSite(io.netty.handler.codec.http.cookie.CookieHeaderNames.SameSite.Strict);
        c.setPath("/");
        c.setMaxAge(maxAge);
        return ServerCookieEncoder.STRICT.encode(c);
    }

    private String sessionId(FullHttpRequest req) {
        String header = req.headers().get(HttpHeaderNames.COOKIE);
        if (header == null) {
            return null;
        }
        for (Cookie c : ServerCookieDecoder.STRICT.decodeAll(header)) {
            if (c.name().equals(policy.cookieName())) {
                return c.value();
            }
        }
        return null;
    }

    private void fail(ChannelHandlerContext ctx, FullHttpRequest req, InetAddress peer, String via, String reason) {
        policy.throttle().failed(peer);
        policy.log().warn("http.auth.failure").with("peer", peerText(ctx)).with("via", via).with("reason", reason)
                .with("path", new QueryStringDecoder(req.uri()).path()).write();
        unauthorized(ctx, req, "invalid_token");
    }

    private void unauthorized(ChannelHandlerContext ctx, FullHttpRequest req, String error) {
        String accept = req.headers().get(HttpHeaderNames.ACCEPT);
        boolean browser = req.method().equals(HttpMethod.GET) && accept != null
                && accept.toLowerCase(Locale.ROOT).contains("text/html");
        FullHttpResponse r = browser
                ? Responses.html(HttpResponseStatus.UNAUTHORIZED, Responses.loginPage("Log in with the agent's access token."))
                : Responses.json(HttpResponseStatus.UNAUTHORIZED, Responses.UNAUTHORIZED_JSON);
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE,
                "Bearer realm=\"mpsec\"" + (error == null ? "" : ", error=\"" + error + "\""));
        Responses.sendAndClose(ctx, r);
    }

    private static InetAddress peer(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress()
                : InetAddress.getLoopbackAddress();
    }

    private static String peerText(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(ctx.channel().remoteAddress());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
