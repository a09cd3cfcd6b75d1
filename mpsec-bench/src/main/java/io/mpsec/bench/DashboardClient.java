package io.mpsec.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One open dashboard, as the page loads the agent: the server-sent events stream
 * {@code /api/v1/stream} read continuously and {@code GET /api/v1/system} every 5 seconds (as app.js
 * does), plus {@code GET /api/v1/snapshot} every second (an API client on top of the page). Counts
 * what it received, so the benchmark can prove the dashboard was really served during the window.
 */
final class DashboardClient implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final AtomicLong streamEvents = new AtomicLong();
    private final AtomicLong streamBytes = new AtomicLong();
    private final AtomicLong snapshots = new AtomicLong();
    private final AtomicLong snapshotErrors = new AtomicLong();
    private final AtomicLong systemPolls = new AtomicLong();
    private final AtomicReference<InputStream> stream = new AtomicReference<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "mpsec-bench-snapshot"));
    private volatile boolean closed;

    DashboardClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** Waits until the agent answers {@code /api/v1/system} (at most {@code timeoutMillis}). */
    void awaitUp(AgentProcess agent, long timeoutMillis) throws IOException {
        long end = System.currentTimeMillis() + timeoutMillis;
        String last = "no answer";
        while (System.currentTimeMillis() < end) {
            if (!agent.alive()) {
                throw new IOException("the agent exited while starting: " + agent.command() + "\n" + agent.logTail());
            }
            try {
                HttpResponse<String> r = get("/api/v1/system");
                if (r.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + r.statusCode() + ": " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            PathNet.sleep(200);
        }
        throw new IOException("the agent did not answer " + base + "/api/v1/system within " + timeoutMillis + " ms (" + last + "): "
                + agent.command() + "\n" + agent.logTail());
    }

    /** Opens the stream and starts the snapshot poller. */
    void open() {
        Thread t = new Thread(this::readStream, "mpsec-bench-sse");
        t.setDaemon(true);
        t.start();
        poller.scheduleAtFixedRate(() -> {
            try {
                HttpResponse<String> r = get("/api/v1/snapshot");
                if (r.statusCode() == 200) {
                    snapshots.incrementAndGet();
                } else {
                    snapshotErrors.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                snapshotErrors.incrementAndGet();
            }
        }, 0, 1, TimeUnit.SECONDS);
        poller.scheduleAtFixedRate(() -> {
            try {
                if (get("/api/v1/system").statusCode() == 200) {
                    systemPolls.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                // counted by its absence
            }
        }, 0, 5, TimeUnit.SECONDS);
    }

    private void readStream() {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/stream")).header("Accept", "text/event-stream").GET().build();
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            stream.set(r.body());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while (!closed && (line = in.readLine()) != null) {
                    streamBytes.addAndGet(line.length() + 1);
                    if (line.startsWith("event:")) {
                        streamEvents.incrementAndGet();
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            if (!closed) {
                System.err.println("dashboard stream ended: " + e);
            }
        }
    }

    /**
     * The number of connections {@code /api/v1/connections} lists per namespace.
     */
    @SuppressWarnings("unchecked")
    Map<String, Long> connectionsPerNamespace() throws IOException {
        HttpResponse<String> r = get("/api/v1/connections");
        if (r.statusCode() != 200) {
            throw new IOException("GET /api/v1/connections: HTTP " + r.statusCode() + ": " + r.body());
        }
        Map<String, Object> doc = SideFile.JSON.readValue(r.body(), Map.class);
        Map<String, Long> per = new java.util.TreeMap<>();
        for (Map<String, Object> c : (List<Map<String, Object>>) doc.getOrDefault("connections", List.of())) {
            per.merge(String.valueOf(c.get("netns")), 1L, Long::sum);
        }
        return per;
    }

    private HttpResponse<String> get(String path) throws IOException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    long streamEvents() {
        return streamEvents.get();
    }

    long streamBytes() {
        return streamBytes.get();
    }

    long snapshots() {
        return snapshots.get();
    }

    long systemPolls() {
        return systemPolls.get();
    }

    long snapshotErrors() {
        return snapshotErrors.get();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        closed = true;
        poller.shutdownNow();
        InputStream s = stream.get();
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
