package io.mpsec.agent.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpsec.agent.log.EventLog;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The agent's local status channel: a Unix domain socket (mode 0600, see {@link SocketFile}) that
 * answers one request per connection.
 *
 * <p>Protocol (version {@value #PROTOCOL_VERSION}): the client sends one line of JSON,
 * {@code {"request":"status"}} (at most {@value #MAX_REQUEST_BYTES} bytes), and reads one line of JSON
 * back: the status ({@link StatusCollector#collect()}), or {@code {"protocol":1,"error":"..."}} for a
 * bad request; then the agent closes the connection. A client that has not sent its request within
 * {@value #TIMEOUT_SECONDS} s is disconnected.
 *
 * <p>The socket uses the JDK's Unix domain channels (JDK 16+), so no native binding is needed here.
 * Each request is logged as {@code status.request} with the peer's user (SO_PEERCRED).
 */
public final class StatusServer implements AutoCloseable {
    /** The protocol version in every answer. */
    public static final int PROTOCOL_VERSION = 1;
    static final int MAX_REQUEST_BYTES = 4096;
    static final int TIMEOUT_SECONDS = 5;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SocketFile file;
    private final ServerSocketChannel server;
    private final StatusCollector collector;
    private final EventLog log;
    private final ExecutorService workers = Executors.newFixedThreadPool(2, daemon("mpsec-status"));
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(daemon("mpsec-status-timeout"));
    private final Thread acceptor;

    private StatusServer(SocketFile file, ServerSocketChannel server, StatusCollector collector, EventLog log) {
        this.file = file;
        this.server = server;
        this.collector = collector;
        this.log = log;
        this.acceptor = daemon("mpsec-status-accept").newThread(this::acceptLoop);
    }

    /**
     * Creates the socket at {@code path} (see {@link SocketFile#bind}) and starts answering.
     *
     * @throws IOException when the directory is unsafe, another agent is listening there, or the path
     *         is taken by something that is not a socket; the message says what to do
     */
    public static StatusServer start(Path path, StatusCollector collector, EventLog log) throws IOException {
        SocketFile f = SocketFile.prepare(path, log);
        ServerSocketChannel ch = f.bind();
        StatusServer s = new StatusServer(f, ch, collector, log);
        s.acceptor.start();
        return s;
    }

    /** The socket's path. */
    public Path path() {
        return file.path();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.warn("status.accept.failure").with(e).write();
                continue;
            }
            try {
                workers.execute(() -> answer(c));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                closeQuietly(c);
                return;
            }
        }
    }

    private void answer(SocketChannel c) {
        ScheduledFuture<?> deadline = deadlines.schedule(() -> closeQuietly(c), TIMEOUT_SECONDS, TimeUnit.SECONDS);
        String user = peerUser(c);
        String request = "?";
        try (c) {
            String line = readLine(c);
            Object answer;
            if (line == null) {
                answer = error("request longer than " + MAX_REQUEST_BYTES + " bytes");
            } else {
                request = requestName(line);
                answer = request.equals("status") ? collector.collect()
                        : error("unknown request '" + request + "'; send {\"request\":\"status\"}");
            }
            byte[] out = (JSON.writeValueAsString(answer) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.wrap(out);
            while (b.hasRemaining()) {
                c.write(b);
            }
            // Closing with unread input would reset the connection before the client read the answer:
            // end our side, then discard what is left until the client closes (bounded by the deadline).
            c.shutdownOutput();
            ByteBuffer sink = ByteBuffer.allocate(4096);
            for (int total = 0; total < 1 << 20 && c.read(sink) >= 0; total += sink.position()) {
                sink.clear();
            }
            log.info("status.request").with("user", user).with("request", request).write();
        } catch (IOException | RuntimeException e) {
            log.warn("status.request.failure").with("user", user).with(e).write();
        } finally {
            deadline.cancel(false);
        }
    }

    /** The request's name, {@code "?"} when the line is not {@code {"request":"NAME"}}. */
    static String requestName(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            JsonNode r = n == null ? null : n.get("request");
            return r != null && r.isTextual() && r.asText().matches("[a-z]{1,32}") ? r.asText() : "?";
        } catch (IOException e) {
            return "?";
        }
    }

    private static Map<String, Object> error(String message) {
        return Map.of("protocol", PROTOCOL_VERSION, "error", message);
    }

    /** Reads up to a newline or end of stream; {@code null} when the request is too long. */
    private static String readLine(SocketChannel c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(MAX_REQUEST_BYTES + 1);
        while (b.hasRemaining()) {
            int n = c.read(b);
            if (n < 0) {
                break;
            }
            for (int i = b.position() - n; i < b.position(); i++) {
                if (b.get(i) == '\n') {
                    return new String(b.array(), 0, i, StandardCharsets.UTF_8);
                }
            }
        }
        if (b.position() > MAX_REQUEST_BYTES) {
            return null;
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    private static String peerUser(SocketChannel c) {
        try {
            return c.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user().getName();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** A client address for {@code path}. */
    static UnixDomainSocketAddress address(Path path) {
        return UnixDomainSocketAddress.of(path);
    }

    /** Stops answering and removes the socket file (if it is still ours). */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing a listening socket
        }
        workers.shutdownNow();
        deadlines.shutdownNow();
        file.remove();
    }

    static SocketChannel connect(Path path) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            c.connect(address(path));
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }
}
