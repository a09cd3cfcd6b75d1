package io.mpsec.agent;

import io.micrometer.core.instrument.MeterRegistry;
import io.mpsec.agent.web.ConnectionsSource.ConnectionRow;
import io.mpsec.agent.web.ConnectionsSource.SubflowRow;
import io.mpsec.kernel.diag.ConnectionSnapshot;
import io.mpsec.kernel.diag.NamespaceConnections;
import io.mpsec.kernel.diag.SubflowSnapshot;
import io.mpsec.metrics.ConnectionMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's view of MPTCP connections: one sock_diag watcher ({@link ConnectionMetrics}) per watched
 * namespace, feeding the metrics, the dashboard's connections table and {@code mpsec status}.
 */
final class AgentConnections implements AutoCloseable {
    /**
     * The sampler reads the connections every this many periods (2: every 2 s): four sock_diag dumps
     * per namespace are the sampler's largest cost with many connections. The dashboard's table and
     * {@code mpsec status} show the last read; a Prometheus scrape still reads on demand.
     */
    static final int SAMPLE_PERIODS = 2;
    private final Map<String, ConnectionMetrics> byLabel = new LinkedHashMap<>();
    private final Map<String, Rows> rows = new java.util.concurrent.ConcurrentHashMap<>();

    /** The dashboard rows built from one snapshot (rebuilt only when a new snapshot was read). */
    private record Rows(NamespaceConnections snapshot, List<ConnectionRow> rows) {
    }

    /**
     * Watches the namespace with label {@code label} ({@code name} null for the agent's own) and binds
     * its meters to {@code registry}.
     */
    ConnectionMetrics watch(String label, String name, MeterRegistry registry) throws IOException {
        ConnectionMetrics m = ConnectionMetrics.open(name);
        m.bindTo(registry);
        byLabel.put(label, m);
        return m;
    }

    /**
     * The dashboard rows of namespace {@code label}, from the last sample: the same list until the
     * next sample (so that the dashboard can keep what it built from it).
     */
    List<ConnectionRow> rows(String label) {
        ConnectionMetrics m = byLabel.get(label);
        if (m == null) {
            return List.of();
        }
        NamespaceConnections last = m.last();
        Rows r = rows.get(label);
        if (r == null || r.snapshot() != last) {
            r = new Rows(last, List.copyOf(rows(last)));
            rows.put(label, r);
        }
        return r.rows();
    }

    static List<ConnectionRow> rows(NamespaceConnections snapshot) {
        List<ConnectionRow> rows = new ArrayList<>();
        for (ConnectionSnapshot c : snapshot.connections()) {
            List<SubflowRow> subflows = new ArrayList<>();
            for (SubflowSnapshot s : c.subflows()) {
                subflows.add(new SubflowRow(s.local(), s.remote(), s.rttMicros(), s.cwnd(), s.bytesSent(), s.bytesReceived(),
                        s.backup(), s.congestionControl()));
            }
            rows.add(new ConnectionRow(c.token(), c.local(), c.remote(), c.fallback(), subflows));
        }
        return rows;
    }

    /** For {@code mpsec status}: one entry per connection of every watched namespace. */
    List<Map<String, Object>> status() {
        List<Map<String, Object>> out = new ArrayList<>();
        byLabel.forEach((label, m) -> {
            for (ConnectionSnapshot c : m.last().connections()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("netns", label);
                e.put("local", String.valueOf(c.local()));
                e.put("remote", String.valueOf(c.remote()));
                e.put("subflows", c.activeSubflows());
                e.put("state", c.fallback() ? "fallback" : String.valueOf(c.state()));
                out.add(e);
            }
        });
        return out;
    }

    @Override
    public void close() {
        for (ConnectionMetrics m : byLabel.values()) {
            try {
                m.close();
            } catch (Exception e) {
                // closing a sock_diag socket; nothing to do
            }
        }
    }
}
