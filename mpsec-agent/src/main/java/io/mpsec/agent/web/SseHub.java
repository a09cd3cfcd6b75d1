package io.mpsec.agent.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The server-sent events stream ({@code GET /api/v1/stream}): {@code snapshot} events (a
 * {@link Views.Snapshot}) every second and {@code event} events (a {@link DashboardEvent}, with its
 * sequence number as the SSE id) as they happen. A new client first gets the recent events (after its
 * {@code Last-Event-ID} when it reconnects) and a snapshot. A client that cannot keep up (its socket
 * buffer full) misses messages instead of holding memory; at most {@link #MAX_CLIENTS} clients.
 */
final class SseHub implements AutoCloseable {
    static final int MAX_CLIENTS = 32;
    static final int BACKLOG = 100;
    private final Set<Channel> clients = ConcurrentHashMap.newKeySet();
    private final EventLog log;

    SseHub(EventLog log) {
        this.log = log;
        log.listen(e -> broadcast("event", e));
    }

    int subscribers() {
        return clients.size();
    }

    /**
     * Turns this request's connection into a stream: the headers and the recent events at once, the
     * first snapshot (its JSON) from {@code first} run on {@code executor} (the dashboard's thread, not the event loop).
     */
    void open(ChannelHandlerContext ctx, FullHttpRequest req, Supplier<String> first, Executor executor) {
        if (clients.size() >= MAX_CLIENTS) {
            Responses.send(ctx, req, Responses.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "too many live dashboards (" + MAX_CLIENTS + "); close one\n"));
            return;
        }
        if (ctx.pipeline().get(ReadTimeoutHandler.class) != null) {
            ctx.pipeline().remove(ReadTimeoutHandler.class); // a stream client sends nothing after its request
        }
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().set("X-Content-Type-Options", "nosniff");
        HttpUtil.setTransferEncodingChunked(res, true);
        Channel ch = ctx.channel();
        ch.write(res);
        long after = lastEventId(req.headers().get("Last-Event-ID"));
        List<DashboardEvent> backlog = log.after(after, BACKLOG);
        StringBuilder sb = new StringBuilder("retry: 2000\n\n");
        for (DashboardEvent e : backlog) {
            sb.append(message("event", e.seq(), Json.text(e)));
        }
        ch.writeAndFlush(chunk(sb.toString()));
        clients.add(ch);
        ch.closeFuture().addListener(f -> clients.remove(ch));
        executor.execute(() -> {
            if (ch.isActive()) {
                ch.writeAndFlush(chunk(message("snapshot", -1, first.get())));
            }
        });
    }

    static long lastEventId(String header) {
        if (header == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Sends {@code data} as JSON to every client; events carry their sequence number as id. */
    void broadcast(String event, Object data) {
        if (clients.isEmpty()) {
            return;
        }
        send(message(event, data instanceof DashboardEvent e ? e.seq() : -1, Json.text(data)));
    }

    /** Sends {@code json} (one line, serialised once for all clients) as an event without id. */
    void broadcastJson(String event, String json) {
        if (!clients.isEmpty()) {
            send(message(event, -1, json));
        }
    }

    /** One message, encoded once, to every client that can take it. */
    private void send(String text) {
        ByteBuf bytes = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
        for (Channel ch : clients) {
            if (ch.isActive() && ch.isWritable()) {
                ch.writeAndFlush(new DefaultHttpContent(bytes.retainedDuplicate()));
            }
        }
        bytes.release();
    }

    /** One SSE message; {@code json} is a single line. */
    static String message(String event, long id, String json) {
        return (id > 0 ? "id: " + id + "\n" : "") + "event: " + event + "\ndata: " + json + "\n\n";
    }

    private static DefaultHttpContent chunk(String s) {
        return new DefaultHttpContent(Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        for (Channel ch : clients) {
            ch.close();
        }
        clients.clear();
    }
}
