package io.mpsec.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mpsec.kernel.diag.ConnectionDiag;
import io.mpsec.kernel.diag.ConnectionSnapshot;
import io.mpsec.kernel.diag.NamespaceConnections;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The MPTCP connections of one namespace, from sock_diag ({@link ConnectionDiag}; one snapshot, four
 * dumps, serves every meter of a scrape, at most one per 250 ms):
 * <ul>
 *   <li>{@code mpsec.mptcp.connections}: MPTCP connections, fallen-back ones included;</li>
 *   <li>{@code mpsec.mptcp.subflows}: their TCP subflows;</li>
 *   <li>{@code mpsec.mptcp.fallback.connections}: connections that fell back to plain TCP;</li>
 * </ul>
 * all gauges tagged {@code netns}. Failed reads keep the last values and count in
 * {@code mpsec.metrics.read.failures{source="mpsec.mptcp.connections"}}.
 *
 * <p>Per-connection series are off by default. {@link #perConnectionSeries(boolean)} turns them on:
 * {@code mpsec.mptcp.connection.subflows} (gauge) and {@code mpsec.mptcp.connection.bytes} (function
 * counter, {@code direction} = {@code sent}/{@code received}, data-level bytes, Linux 6.5+), tagged
 * {@code netns}, {@code connection} (a number this binder gives each connection, in order of first
 * sight) and {@code token} (the MPTCP token in hex: not a key, but unique per connection, so it is a
 * tag only here). At most {@link #maxConnectionSeries(int)} connections (default 100) get series;
 * {@code mpsec.mptcp.connection.series.dropped} counts those left out. Series appear and disappear with
 * the connections at each {@link #sample()}.
 */
public final class ConnectionMetrics implements MeterBinder, Sampled, AutoCloseable {
    /** Default cap of connections with per-connection series. */
    public static final int DEFAULT_MAX_CONNECTION_SERIES = 100;
    private static final String SOURCE = "mpsec.mptcp.connections";

    /** Where the snapshots come from ({@code ConnectionDiag::snapshot}); tests pass fakes. */
    @FunctionalInterface
    public interface Source {
        /** Every MPTCP connection of the namespace now. */
        NamespaceConnections snapshot() throws IOException;
    }

    private final String netns;
    private final Cached<Indexed> connections;
    private final AutoCloseable owned;
    private final Map<String, List<Meter>> series = new HashMap<>();
    private final Map<String, Long> ids = new HashMap<>();
    private long nextId = 1;
    private boolean perConnection;
    private int maxSeries = DEFAULT_MAX_CONNECTION_SERIES;
    private volatile int dropped;
    private MeterRegistry registry;

    /**
     * @param namespace the namespace's {@code ip netns} name, {@code null} for the JVM's own (tag
     *                  {@code netns="host"})
     * @param source    its connections, e.g. {@code ConnectionDiag.open(namespace)::snapshot}
     */
    public ConnectionMetrics(String namespace, Source source) {
        this(namespace, source, null, System::nanoTime);
    }

    ConnectionMetrics(String namespace, Source source, AutoCloseable owned, LongSupplier nanoClock) {
        this.netns = Tags.netns(namespace);
        this.owned = owned;
        this.connections = new Cached<>(() -> new Indexed(source.snapshot()), new Indexed(null), Tags.NANOS_PER_READ,
                nanoClock);
    }

    /**
     * Watches namespace {@code namespace} ({@code null}: the JVM's own) through its own sock_diag socket,
     * closed by {@link #close()}.
     *
     * @throws IOException when the namespace does not exist or cannot be entered (needs CAP_SYS_ADMIN)
     */
    public static ConnectionMetrics open(String namespace) throws IOException {
        ConnectionDiag diag = ConnectionDiag.open(namespace);
        return new ConnectionMetrics(namespace, diag::snapshot, diag, System::nanoTime);
    }

    /** Turns per-connection series on or off (default off); call before {@link #bindTo}. */
    public synchronized ConnectionMetrics perConnectionSeries(boolean on) {
        this.perConnection = on;
        return this;
    }

    /** The most connections that get per-connection series (default 100, at most 10,000). */
    public synchronized ConnectionMetrics maxConnectionSeries(int max) {
        if (max < 1 || max > 10_000) {
            throw new IllegalArgumentException("maxConnectionSeries must be 1..10000, got " + max
                    + "; turn per-connection series off with perConnectionSeries(false) instead");
        }
        this.maxSeries = max;
        return this;
    }

    @Override
    public synchronized void bindTo(MeterRegistry r) {
        registry = r;
        Gauge.builder("mpsec.mptcp.connections", connections, c -> c.get().count()).strongReference(true)
                .description("MPTCP connections (sock_diag), fallen-back ones included").tags(Tags.NETNS, netns).register(r);
        Gauge.builder("mpsec.mptcp.subflows", connections, c -> c.get().subflows()).strongReference(true)
                .description("TCP subflows of the MPTCP connections").tags(Tags.NETNS, netns).register(r);
        Gauge.builder("mpsec.mptcp.fallback.connections", connections, c -> c.get().fallbacks()).strongReference(true)
                .description("MPTCP connections that fell back to plain TCP").tags(Tags.NETNS, netns).register(r);
        Gauge.builder("mpsec.metrics.read.failures", connections, Cached::failures).strongReference(true)
                .description("Failed reads of a kernel counter source (the meters keep their last values)")
                .tags(Tags.NETNS, netns, "source", SOURCE).register(r);
        if (perConnection) {
            Gauge.builder("mpsec.mptcp.connection.series.dropped", this, m -> m.dropped).strongReference(true)
                    .description("MPTCP connections without per-connection series (over the cap)")
                    .tags(Tags.NETNS, netns).register(r);
        }
        sample();
    }

    @Override
    public synchronized void sample() {
        if (registry == null) {
            return;
        }
        Indexed now = connections.refresh();
        if (!perConnection) {
            return;
        }
        Set<String> live = new HashSet<>(now.byKey.keySet());
        for (String key : new ArrayList<>(series.keySet())) {
            if (!live.contains(key)) {
                series.remove(key).forEach(registry::remove);
            }
        }
        ids.keySet().retainAll(live);
        int left = 0;
        for (Map.Entry<String, ConnectionSnapshot> e : now.byKey.entrySet()) {
            if (series.containsKey(e.getKey())) {
                continue;
            }
            if (series.size() >= maxSeries) {
                left++;
                continue;
            }
            long id = ids.computeIfAbsent(e.getKey(), k -> nextId++);
            series.put(e.getKey(), register(e.getKey(), id, e.getValue()));
        }
        dropped = left;
    }

    private List<Meter> register(String key, long id, ConnectionSnapshot c) {
        io.micrometer.core.instrument.Tags tags = io.micrometer.core.instrument.Tags.of(Tags.NETNS, netns,
                "connection", Long.toString(id), "token", c.tokenHex());
        List<Meter> out = new ArrayList<>();
        out.add(Gauge.builder("mpsec.mptcp.connection.subflows", connections, x -> {
            ConnectionSnapshot s = x.get().byKey.get(key);
            return s == null ? Double.NaN : s.subflows().size();
        }).description("TCP subflows of this MPTCP connection").tags(tags).strongReference(true).register(registry));
        for (boolean sent : new boolean[] {true, false}) {
            out.add(FunctionCounter.builder("mpsec.mptcp.connection.bytes", connections, x -> {
                ConnectionSnapshot s = x.get().byKey.get(key);
                return s == null ? 0 : Math.max(0, sent ? s.bytesSent() : s.bytesReceived());
            }).description("Data-level bytes of this MPTCP connection (mptcp_info, Linux 6.5+)").baseUnit("bytes")
                    .tags(tags.and("direction", sent ? "sent" : "received")).register(registry));
        }
        return out;
    }

    /**
     * The last snapshot read (empty before the first read), without reading: a {@link Sampler} reads
     * once per period, and readers of the last snapshot (the dashboard, {@code mpsec status}) must not
     * add sock_diag dumps of their own.
     */
    public NamespaceConnections last() {
        return connections.peek().snapshot;
    }

    /** How many connections have per-connection series now. */
    public synchronized int seriesCount() {
        return series.size();
    }

    /** Failed reads so far. */
    public long readFailures() {
        return connections.failures();
    }

    /** Closes the sock_diag socket this binder opened ({@link #open}); the meters stay, frozen. */
    @Override
    public void close() throws IOException {
        if (owned != null) {
            try {
                owned.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    /** A snapshot with its connections by key (token, or the addresses for a connection without one). */
    private static final class Indexed {
        final NamespaceConnections snapshot;
        final Map<String, ConnectionSnapshot> byKey = new LinkedHashMap<>();

        Indexed(NamespaceConnections s) {
            this.snapshot = s == null ? new NamespaceConnections(null, 0, List.of()) : s;
            for (ConnectionSnapshot c : snapshot.connections()) {
                byKey.put(c.token() != 0 ? c.tokenHex() : c.local() + "-" + c.remote(), c);
            }
        }

        int count() {
            return snapshot.count();
        }

        int subflows() {
            return snapshot.subflowCount();
        }

        int fallbacks() {
            return snapshot.fallbackCount();
        }
    }
}
