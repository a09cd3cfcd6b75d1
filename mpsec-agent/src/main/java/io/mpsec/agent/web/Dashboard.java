package io.mpsec.agent.web;

import io.mpsec.ipsec.paths.RekeyHealth;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.metrics.Sources;
import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The live dashboard's data: watches namespaces (link counters and flags every 200 ms, link and
 * path-manager events as they happen), keeps the recent events, and pushes a {@link Views.Snapshot}
 * to the SSE stream every second and each event as it happens. Sources of connections, packet
 * security and SAs are plugged in with {@link #connections}, {@link #packetSecurity} and
 * {@link #securePaths}; until then those panels are empty (never made up).
 *
 * <p>How often each panel's data is read (the page renders each stream snapshot, once a second):
 * <ul>
 *   <li>paths (interface counters, rates, path status): an RTM_GETLINK dump per namespace every
 *       {@link PathTracker#SAMPLE_MILLIS} ms and at each link event; pushed every second;</li>
 *   <li>connections: whatever the {@link ConnectionsSource} holds; the agent's source is its
 *       sock_diag sampler, which reads every 2 s, so the table changes every 2 s (views are rebuilt
 *       only then);</li>
 *   <li>packet security and SAs: read at most every 900 ms (once per snapshot);</li>
 *   <li>system panel: on request ({@code /api/v1/system}, the page asks every 5 s), at most every 2 s;</li>
 *   <li>events: as they happen.</li>
 * </ul>
 * A snapshot is built and serialised once per second for every stream client and
 * {@code /api/v1/snapshot} caller ({@link #SNAPSHOT_REUSE_MILLIS}).
 */
public final class Dashboard implements AutoCloseable {
    /** A path counts as active (multipath at a glance) from this rate on: 100 kbit/s. */
    static final double ACTIVE_BYTES_PER_SECOND = 12_500;
    private static final long SYSTEM_CACHE_MILLIS = 2_000;
    /** {@code /api/v1/snapshot} answers with the stream's last snapshot while it is younger than this. */
    static final long SNAPSHOT_REUSE_MILLIS = 900;
    private final Map<String, NamespaceWatch> watches = new LinkedHashMap<>();
    private final Map<String, ConnectionsSource> connectionSources = new ConcurrentHashMap<>();
    private final ConnectionsView connections;
    private final EventLog log = new EventLog(System::currentTimeMillis);
    private final SecurityPanel security = new SecurityPanel(System::currentTimeMillis);
    private final SystemInfo system = new SystemInfo();
    private final SseHub stream;
    private final ScheduledExecutorService thread;
    private Views.SystemView systemCache;
    private Views.Security securityCache;
    private long securityAt;
    private long systemAt;
    private final Object snapshotLock = new Object();
    private String snapshotJson;
    private long snapshotAt;
    private int ticks;

    private Dashboard() {
        connections = new ConnectionsView(connectionSources, log);
        stream = new SseHub(log);
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mpsec-dashboard");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts watching {@code namespaces} ({@code null} in the list: the agent's own namespace).
     *
     * @throws IOException when a namespace does not exist or cannot be entered
     */
    public static Dashboard start(List<String> namespaces) throws IOException {
        Dashboard d = new Dashboard();
        try {
            for (String name : namespaces) {
                String label = name == null ? "host" : name;
                NamespaceWatch[] self = new NamespaceWatch[1];
                self[0] = NamespaceWatch.open(name, link -> d.thread.execute(() -> {
                    if (self[0] != null) {
                        d.sample(self[0]);
                    }
                }),
                        e -> d.pmEvent(label, e), problem -> d.log.add(label, "error", "pm-events", "", problem));
                d.watches.put(label, self[0]);
            }
            d.thread.scheduleAtFixedRate(d::tick, 0, PathTracker.SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
            d.thread.execute(() -> Json.text(d.snapshot())); // loads and warms the JSON mapper before the first page
            return d;
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** Shows the connections of namespace {@code netns} ({@code "host"} for the agent's own) from {@code source}. */
    public void connections(String netns, ConnectionsSource source) {
        connectionSources.put(netns, source);
    }

    /** Shows per-interface ESP vs cleartext of namespace {@code netns} from {@code source}. */
    public void packetSecurity(String netns, PacketSecuritySource source) {
        security.packetSource(netns, source);
    }

    /**
     * Shows the SAs of one {@code SecurePaths} and the health of its {@code AutoRekey}:
     * {@code securePaths(ns, paths::installedSas, xfrm::usage, rekey::health)}; {@code health} may be
     * {@code null} without AutoRekey. Only addresses, SPIs, generations, lifetimes and counters are read.
     */
    public void securePaths(String netns, Sources.SaList sas, Sources.SaUsageSource usage, Supplier<RekeyHealth> health) {
        security.register(netns, sas, usage, health);
    }

    /** The dashboard's own thread (for work that must not run on the HTTP event loop). */
    java.util.concurrent.Executor executor() {
        return thread;
    }

    /** The SSE stream handler. */
    SseHub stream() {
        return stream;
    }

    private void tick() {
        for (NamespaceWatch w : watches.values()) {
            sample(w);
        }
        if (++ticks % (1000 / PathTracker.SAMPLE_MILLIS) == 0 && stream.subscribers() > 0) {
            stream.broadcastJson("snapshot", freshSnapshotJson());
        }
    }

    private void sample(NamespaceWatch w) {
        try {
            List<LinkSample> links = w.dump();
            for (PathTracker.Change c : w.tracker.update(System.nanoTime(), System.currentTimeMillis(), links)) {
                log.add(w.label, "path-" + c.to().json(), c.iface(), c.to().json(),
                        c.iface() + " " + c.from().json() + " -> " + c.to().json() + (c.reason().isEmpty() ? "" : ": " + c.reason()));
            }
        } catch (IOException | RuntimeException e) {
            log.add(w.label, "error", "rtnetlink", "", "reading the interfaces failed: " + e.getMessage());
        }
    }

    private void pmEvent(String netns, PmEvent e) {
        PmEventText.Line l = PmEventText.of(e);
        if (l != null) {
            log.add(netns, l.kind(), l.subject(), "", l.message());
        }
    }

    /** {@code /api/v1/interfaces}. */
    public Views.Interfaces interfaces() {
        List<Views.NamespaceView> out = new ArrayList<>();
        watches.forEach((label, w) -> {
            List<Views.InterfaceView> ifs = new ArrayList<>();
            int paths = 0;
            int active = 0;
            for (PathTracker.Tracked t : w.tracker.snapshot()) {
                LinkSample l = t.link();
                if (l.path()) {
                    paths++;
                    if (!t.status().broken() && t.rxRate() + t.txRate() >= ACTIVE_BYTES_PER_SECOND) {
                        active++;
                    }
                }
                ifs.add(new Views.InterfaceView(l.name(), l.index(), l.path(), l.operState(), t.status().json(), t.reason(),
                        t.sinceMillis(), new Views.Direction(l.rxBytes(), l.rxPackets(), l.rxErrors(), l.rxDrops(), t.rxRate()),
                        new Views.Direction(l.txBytes(), l.txPackets(), l.txErrors(), l.txDrops(), t.txRate())));
            }
            out.add(new Views.NamespaceView(label, paths, active, ifs));
        });
        return new Views.Interfaces(System.currentTimeMillis(), out);
    }

    /** {@code /api/v1/connections}. */
    public Views.Connections connections() {
        return connections.read();
    }

    /**
     * {@code /api/v1/security}; read at most every 900 ms, so that the per-second verdicts (counter
     * differences) mean the same for the stream and for API clients.
     */
    public synchronized Views.Security security() {
        long now = System.currentTimeMillis();
        if (securityCache == null || now - securityAt >= 900) {
            securityCache = readSecurity();
            securityAt = now;
        }
        return securityCache;
    }

    private Views.Security readSecurity() {
        Map<String, List<String>> names = new LinkedHashMap<>();
        watches.forEach((label, w) -> names.put(label,
                w.tracker.snapshot().stream().filter(t -> t.link().path()).map(t -> t.link().name()).toList()));
        return security.view(names, log);
    }

    /** {@code /api/v1/system} (read at most every 2 s). */
    public synchronized Views.SystemView system() {
        long now = System.currentTimeMillis();
        if (systemCache == null || now - systemAt >= SYSTEM_CACHE_MILLIS) {
            Map<String, NetNamespace> ns = new LinkedHashMap<>();
            Map<String, Map<Integer, String>> ifNames = new LinkedHashMap<>();
            watches.forEach((label, w) -> {
                ns.put(label, w.ns);
                Map<Integer, String> m = new LinkedHashMap<>();
                w.tracker.snapshot().forEach(t -> m.put(t.link().index(), t.link().name()));
                ifNames.put(label, m);
            });
            systemCache = system.read(ns, ifNames);
            systemAt = now;
        }
        return systemCache;
    }

    /** {@code /api/v1/events}: the events after sequence number {@code after}, at most {@code limit}. */
    public Views.Events events(long after, int limit) {
        return new Views.Events(log.after(after, limit));
    }

    /** What the stream sends every second. */
    public Views.Snapshot snapshot() {
        return new Views.Snapshot(System.currentTimeMillis(), interfaces(), connections(), security());
    }

    /**
     * {@link #snapshot()} as JSON, built and serialised once for the stream and every API client: the
     * stream's last snapshot while it is younger than {@link #SNAPSHOT_REUSE_MILLIS}, else a new one.
     */
    String snapshotJson() {
        synchronized (snapshotLock) {
            if (snapshotJson != null && System.currentTimeMillis() - snapshotAt < SNAPSHOT_REUSE_MILLIS) {
                return snapshotJson;
            }
            return freshSnapshotJson();
        }
    }

    /** A new snapshot as JSON (kept for {@link #snapshotJson()}). */
    String freshSnapshotJson() {
        synchronized (snapshotLock) {
            Views.Snapshot s = snapshot();
            snapshotJson = Json.text(s);
            snapshotAt = s.time();
            return snapshotJson;
        }
    }

    /** The namespaces watched, by label ({@code host} for the agent's own). */
    public List<String> namespaces() {
        return List.copyOf(watches.keySet());
    }

    @Override
    public void close() {
        thread.shutdownNow();
        stream.close();
        watches.values().forEach(NamespaceWatch::close);
    }
}
