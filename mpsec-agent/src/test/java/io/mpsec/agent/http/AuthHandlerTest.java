package io.mpsec.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.agent.log.EventLog;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The authentication layer on Netty's EmbeddedChannel: real pipeline, real handler, no network. */
class AuthHandlerTest {
    static final String TOKEN = "s3cr3t-t0ken-abcdefghijklmnop";
    final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    final EventLog log = new EventLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8), EventLog.Format.KV);
    final SessionStore sessions = new SessionStore(Duration.ofHours(1));
    final LoginThrottle throttle = new LoginThrottle();

    /** The application: answers 200 "app:PATH" to whatever reaches it. */
    static final class App extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("app:" + req.uri(), StandardCharsets.UTF_8));
            ctx.writeAndFlush(r);
        }
    }

    EmbeddedChannel channel(AccessToken token, boolean secure) {
        AccessPolicy p = new AccessPolicy(token, secure, sessions, throttle, log);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(AuthHandler.READ_TIMEOUT, new ReadTimeoutHandler(30));
        ch.pipeline().addLast(new AuthHandler(p, h -> h != null && h.equals("localhost:9464")), new App());
        return ch;
    }

    static FullHttpRequest request(HttpMethod m, String uri, Map<String, String> headers, String body) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, m, uri,
                Unpooled.copiedBuffer(body == null ? "" : body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.HOST, "localhost:9464");
        headers.forEach((k, v) -> r.headers().set(k, v));
        return r;
    }

    static FullHttpResponse send(EmbeddedChannel ch, FullHttpRequest r) {
        ch.writeInbound(r);
        FullHttpResponse res = ch.readOutbound();
        assertThat(res).as("a response to " + r.method() + " " + r.uri()).isNotNull();
        return res;
    }

    static String body(FullHttpResponse r) {
        return r.content().toString(StandardCharsets.UTF_8);
    }

    String logText() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutATokenOnlyTheHostIsChecked() {
        FullHttpResponse ok = send(channel(null, false), request(HttpMethod.GET, "/metrics", Map.of(), null));
        assertThat(ok.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(body(ok)).isEqualTo("app:/metrics");
        FullHttpResponse evil = send(channel(null, false),
                request(HttpMethod.GET, "/metrics", Map.of("Host", "rebind.evil.example:9464"), null));
        assertThat(evil.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(body(evil)).contains("DNS rebinding");
    }

    @Test
    void requestsWithoutCredentialsGet401SayingHowToAuthenticate() {
        AccessToken t = AccessToken.of(TOKEN);
        FullHttpResponse api = send(channel(t, true), request(HttpMethod.GET, "/metrics", Map.of(), null));
        assertThat(api.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(api.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).startsWith("Bearer realm=\"mpsec\"");
        assertThat(api.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(body(api)).contains("Authorization: Bearer TOKEN", "/login").doesNotContain("app:");
        FullHttpResponse page = send(channel(t, true),
                request(HttpMethod.GET, "/", Map.of("Accept", "text/html,application/xhtml+xml"), null));
        assertThat(page.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(body(page)).contains("<form method=\"post\" action=\"/login\">", "name=\"token\"");
        assertThat(page.headers().get("Content-Security-Policy")).contains("default-src 'none'", "form-action 'self'");
        // the Host check still applies with a token
        FullHttpResponse evil = send(channel(t, true), request(HttpMethod.GET, "/metrics",
                Map.of("Host", "rebind.evil.example:9464", "Authorization", "Bearer " + TOKEN), null));
        assertThat(evil.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
    }

    @Test
    void theBearerTokenPassesAndAWrongOneIsLoggedWithoutTheToken() {
        AccessToken t = AccessToken.of(TOKEN);
        FullHttpResponse ok = send(channel(t, true),
                request(HttpMethod.GET, "/api/x", Map.of("Authorization", "Bearer " + TOKEN), null));
        assertThat(ok.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(body(ok)).isEqualTo("app:/api/x");
        assertThat(send(channel(t, true), request(HttpMethod.GET, "/api/x", Map.of("Authorization", "bearer " + TOKEN),
                null)).status()).isEqualTo(HttpResponseStatus.OK);
        String wrong = TOKEN + "x";
        FullHttpResponse bad = send(channel(t, true),
                request(HttpMethod.GET, "/api/x", Map.of("Authorization", "Bearer " + wrong), null));
        assertThat(bad.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(bad.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).contains("error=\"invalid_token\"");
        FullHttpResponse basic = send(channel(t, true),
                request(HttpMethod.GET, "/api/x", Map.of("Authorization", "Basic " + TOKEN), null));
        assertThat(basic.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(logText()).contains("event=http.auth.failure", "via=bearer", "reason=\"wrong token\"",
                "reason=\"unsupported scheme (use Bearer)\"").doesNotContain(TOKEN).doesNotContain("t0ken");
    }

    @Test
    void loginExchangesTheTokenForAnHttpOnlySameSiteStrictSecureCookieThatThenWorks() {
        AccessToken t = AccessToken.of(TOKEN);
        FullHttpResponse form = send(channel(t, true), request(HttpMethod.GET, "/login", Map.of(), null));
        assertThat(form.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(body(form)).contains("action=\"/login\"");
        FullHttpResponse wrong = send(channel(t, true), request(HttpMethod.POST, "/login",
                Map.of("Content-Type", "application/x-www-form-urlencoded"), "token=nope-nope-nope-nope-nope"));
        assertThat(wrong.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(wrong.headers().get(HttpHeaderNames.SET_COOKIE)).isNull();
        assertThat(body(wrong)).contains("not the agent&#39;s token").doesNotContain("nope-nope");
        FullHttpResponse ok = send(channel(t, true), request(HttpMethod.POST, "/login",
                Map.of("Content-Type", "application/x-www-form-urlencoded", "Origin", "https://localhost:9464"),
                "token=" + TOKEN.replace("-", "%2D")));
        assertThat(ok.status()).isEqualTo(HttpResponseStatus.SEE_OTHER);
        assertThat(ok.headers().get(HttpHeaderNames.LOCATION)).isEqualTo("/");
        String setCookie = ok.headers().get(HttpHeaderNames.SET_COOKIE);
        assertThat(setCookie).startsWith("__Host-mpsec_session=").contains("; HTTPOnly", "; Secure", "; SameSite=Strict",
                "; Path=/", "; Max-Age=3600");
        String id = cookieValue(setCookie);
        assertThat(id).hasSize(43).matches("[A-Za-z0-9_-]+");
        FullHttpResponse page = send(channel(t, true),
                request(HttpMethod.GET, "/", Map.of("Cookie", "other=1; __Host-mpsec_session=" + id), null));
        assertThat(page.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(body(page)).isEqualTo("app:/");
        // a forged or foreign-named cookie does not
        assertThat(send(channel(t, true), request(HttpMethod.GET, "/", Map.of("Cookie", "__Host-mpsec_session="
                + id.substring(1) + "A"), null)).status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(send(channel(t, true), request(HttpMethod.GET, "/", Map.of("Cookie", "mpsec_session=" + id), null))
                .status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        // the event stream: authorized by the cookie, and the read timeout is gone (EventSource never writes again)
        EmbeddedChannel sse = channel(t, true);
        FullHttpResponse events = send(sse, request(HttpMethod.GET, "/api/events",
                Map.of("Cookie", "__Host-mpsec_session=" + id, "Accept", "text/event-stream"), null));
        assertThat(events.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(sse.pipeline().get(AuthHandler.READ_TIMEOUT)).isNull();
        // logout ends the session
        FullHttpResponse out = send(channel(t, true), request(HttpMethod.POST, "/logout",
                Map.of("Cookie", "__Host-mpsec_session=" + id), null));
        assertThat(out.status()).isEqualTo(HttpResponseStatus.SEE_OTHER);
        assertThat(out.headers().get(HttpHeaderNames.SET_COOKIE)).contains("Max-Age=0");
        assertThat(send(channel(t, true), request(HttpMethod.GET, "/", Map.of("Cookie", "__Host-mpsec_session=" + id),
                null)).status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(logText()).contains("event=http.login", "via=login").doesNotContain(id).doesNotContain(TOKEN)
                .doesNotContain("nope-nope");
    }

    @Test
    void withoutTlsTheCookieIsNotSecureAndHasNoHostPrefix() {
        FullHttpResponse ok = send(channel(AccessToken.of(TOKEN), false), request(HttpMethod.POST, "/login",
                Map.of("Content-Type", "application/x-www-form-urlencoded"), "token=" + TOKEN));
        String c = ok.headers().get(HttpHeaderNames.SET_COOKIE);
        assertThat(c).startsWith("mpsec_session=").contains("HTTPOnly", "SameSite=Strict").doesNotContain("Secure");
    }

    @Test
    void aCrossOriginLoginIsRefused() {
        FullHttpResponse r = send(channel(AccessToken.of(TOKEN), true), request(HttpMethod.POST, "/login",
                Map.of("Origin", "https://evil.example", "Content-Type", "application/x-www-form-urlencoded"),
                "token=" + TOKEN));
        assertThat(r.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(r.headers().get(HttpHeaderNames.SET_COOKIE)).isNull();
    }

    @Test
    void repeatedFailuresAreThrottled() {
        AccessToken t = AccessToken.of(TOKEN);
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            assertThat(send(channel(t, true), request(HttpMethod.GET, "/", Map.of("Authorization", "Bearer guess-" + i),
                    null)).status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        }
        FullHttpResponse r = send(channel(t, true), request(HttpMethod.GET, "/", Map.of("Authorization", "Bearer " + TOKEN),
                null));
        assertThat(r.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
        assertThat(Long.parseLong(r.headers().get(HttpHeaderNames.RETRY_AFTER))).isBetween(1L, 60L);
    }

    static String cookieValue(String setCookie) {
        Matcher m = Pattern.compile("^[^=]+=([^;]*)").matcher(setCookie);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
