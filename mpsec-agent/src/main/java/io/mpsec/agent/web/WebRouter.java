package io.mpsec.agent.web;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's routes, behind the agent's Host check: the page and its assets ({@link StaticAssets}),
 * the JSON API under {@code /api/v1/} ({@code interfaces}, {@code system}, {@code connections},
 * {@code security}, {@code events?after=SEQ&limit=N}, {@code snapshot}) and the SSE stream
 * {@code /api/v1/stream} ({@link SseHub}). Only GET and HEAD.
 */
public final class WebRouter {
    static final String JSON = "application/json; charset=utf-8";
    private final Dashboard dashboard;
    private final StaticAssets assets = new StaticAssets();

    /** Routes to {@code dashboard}'s data. */
    public WebRouter(Dashboard dashboard) {
        this.dashboard = dashboard;
    }

    /**
     * Answers {@code req} if its path is the dashboard's; returns {@code false} (having sent nothing)
     * otherwise.
     */
    public boolean route(ChannelHandlerContext ctx, FullHttpRequest req) {
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.path();
        boolean api = path.startsWith("/api/");
        Optional<StaticAssets.Asset> asset = api ? Optional.empty() : assets.resolve(path);
        if (!api && asset.isEmpty()) {
            return false;
        }
        if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse r = Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            Responses.send(ctx, req, r);
            return true;
        }
        if (asset.isPresent()) {
            Responses.send(ctx, req, asset(req, asset.get()));
        } else if (path.equals("/api/v1/stream") && req.method().equals(HttpMethod.GET)) {
            dashboard.stream().open(ctx, req, dashboard::snapshotJson, dashboard.executor());
        } else {
            Responses.send(ctx, req, api(path, uri.parameters()));
        }
        return true;
    }

    private static FullHttpResponse asset(FullHttpRequest req, StaticAssets.Asset a) {
        FullHttpResponse r;
        if (a.etag().equals(req.headers().get(HttpHeaderNames.IF_NONE_MATCH))) {
            r = Responses.bytes(HttpResponseStatus.NOT_MODIFIED, new byte[0], a.contentType());
        } else {
            r = Responses.bytes(HttpResponseStatus.OK, a.body(), a.contentType());
        }
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, a.cacheControl());
        r.headers().set(HttpHeaderNames.ETAG, a.etag());
        if (a.contentType().startsWith("text/html")) {
            r.headers().set("Content-Security-Policy", Responses.CSP);
            r.headers().set("Referrer-Policy", "no-referrer");
            r.headers().set("X-Frame-Options", "DENY");
        }
        return r;
    }

    FullHttpResponse api(String path, Map<String, List<String>> params) {
        Object body;
        if (path.equals("/api/v1/snapshot")) {
            return Responses.bytes(HttpResponseStatus.OK, dashboard.snapshotJson().getBytes(StandardCharsets.UTF_8), JSON);
        }
        switch (path) {
            case "/api/v1/interfaces": body = dashboard.interfaces(); break;
            case "/api/v1/system": body = dashboard.system(); break;
            case "/api/v1/connections": body = dashboard.connections(); break;
            case "/api/v1/security": body = dashboard.security(); break;
            case "/api/v1/events":
                try {
                    long after = number(params, "after", 0, Long.MAX_VALUE, 0);
                    int limit = (int) number(params, "limit", 1, EventLog.CAPACITY, 100);
                    body = dashboard.events(after, limit);
                } catch (IllegalArgumentException e) {
                    return error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
                }
                break;
            default:
                return error(HttpResponseStatus.NOT_FOUND, "no such API: " + path + "; see /api/v1/interfaces, system, "
                        + "connections, security, events, snapshot, stream");
        }
        return Responses.bytes(HttpResponseStatus.OK, Json.text(body).getBytes(StandardCharsets.UTF_8), JSON);
    }

    private static long number(Map<String, List<String>> params, String name, long min, long max, long dflt) {
        List<String> v = params.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.get(0));
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("query parameter " + name + "='" + v.get(0) + "' is not a number from " + min
                + " to " + max + "; e.g. /api/v1/events?after=0&limit=100");
    }

    private static FullHttpResponse error(HttpResponseStatus status, String message) {
        return Responses.bytes(status, Json.text(Map.of("error", message)).getBytes(StandardCharsets.UTF_8), JSON);
    }
}
