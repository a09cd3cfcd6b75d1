package io.mpsec.agent;

import io.mpsec.agent.web.Responses;
import io.mpsec.agent.web.WebRouter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Answers one HTTP request after the Host check: {@code GET /metrics} with the Prometheus text, the
 * dashboard's paths through its {@link WebRouter} (when there is one), everything else with an error.
 */
final class MetricsHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private final HostCheck hosts;
    private final Supplier<String> scrape;
    private final WebRouter web;

    MetricsHttpHandler(HostCheck hosts, Supplier<String> scrape) {
        this(hosts, scrape, null);
    }

    /** With the dashboard's routes ({@code web} may be {@code null}: /metrics only). */
    MetricsHttpHandler(HostCheck hosts, Supplier<String> scrape, WebRouter web) {
        this.hosts = hosts;
        this.scrape = scrape;
        this.web = web;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        FullHttpResponse res;
        if (!req.decoderResult().isSuccess()) {
            res = Responses.text(HttpResponseStatus.BAD_REQUEST, "malformed request\n");
        } else if (!hosts.allows(req.headers().get(HttpHeaderNames.HOST))) {
            res = Responses.text(HttpResponseStatus.FORBIDDEN, "this server answers only to Host localhost, 127.0.0.1 or "
                    + "[::1] with its port (DNS rebinding protection)\n");
        } else if (!new QueryStringDecoder(req.uri()).path().equals("/metrics")) {
            if (web != null && web.route(ctx, req)) {
                return;
            }
            res = Responses.text(HttpResponseStatus.NOT_FOUND, "not found; the metrics are at /metrics"
                    + (web != null ? " and the dashboard at /" : "") + "\n");
        } else if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
            res = Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET\n");
            res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        } else {
            res = Responses.bytes(HttpResponseStatus.OK, scrape.get().getBytes(StandardCharsets.UTF_8), PROMETHEUS_TEXT);
        }
        Responses.send(ctx, req, res);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
