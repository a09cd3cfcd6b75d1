package io.mpsec.agent.web;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The connections table from the registered {@link ConnectionsSource}s; logs a {@code fallback} event for each new fallen-back connection. */
final class ConnectionsView {
    private final Map<String, ConnectionsSource> sources;
    private final EventLog log;
    private final Set<String> fallbacksSeen = new HashSet<>();
    private final Map<String, Built> built = new HashMap<>();

    /** The views built from one list of rows: a source that returns the same list again gets them again. */
    private record Built(List<ConnectionsSource.ConnectionRow> rows, List<Views.ConnectionView> views) {
    }

    ConnectionsView(Map<String, ConnectionsSource> sources, EventLog log) {
        this.sources = sources;
        this.log = log;
    }

    synchronized Views.Connections read() {
        List<Views.ConnectionView> out = new ArrayList<>();
        Set<String> fallbacksNow = new HashSet<>();
        sources.forEach((netns, src) -> {
            List<ConnectionsSource.ConnectionRow> rows;
            try {
                rows = src.connections();
            } catch (Exception e) {
                log.add(netns, "error", "connections", "", "listing connections failed: " + e.getMessage());
                return;
            }
            for (Views.ConnectionView v : views(netns, rows)) {
                out.add(v);
                if (v.fallback()) {
                    String key = netns + " " + v.local() + " " + v.remote();
                    fallbacksNow.add(key);
                    if (!fallbacksSeen.contains(key)) {
                        log.add(netns, "fallback", v.local() + " -> " + v.remote(), "",
                                "connection " + v.local() + " -> " + v.remote() + " runs as plain TCP (MPTCP fallback)");
                    }
                }
            }
        });
        fallbacksSeen.clear();
        fallbacksSeen.addAll(fallbacksNow);
        return new Views.Connections(System.currentTimeMillis(), List.copyOf(sources.keySet()), out);
    }

    private List<Views.ConnectionView> views(String netns, List<ConnectionsSource.ConnectionRow> rows) {
        Built b = built.get(netns);
        if (b == null || b.rows() != rows) {
            List<Views.ConnectionView> views = new ArrayList<>(rows.size());
            for (ConnectionsSource.ConnectionRow r : rows) {
                views.add(view(netns, r));
            }
            b = new Built(rows, views);
            built.put(netns, b);
        }
        return b.views();
    }

    static Views.ConnectionView view(String netns, ConnectionsSource.ConnectionRow r) {
        List<Views.SubflowView> subflows = new ArrayList<>();
        for (ConnectionsSource.SubflowRow s : r.subflows()) {
            subflows.add(new Views.SubflowView(text(s.local()), text(s.remote()), s.rttMicros(), s.cwnd(), s.bytesSent(),
                    s.bytesReceived(), s.backup(), s.congestionControl()));
        }
        return new Views.ConnectionView(netns, hex32(r.token()), text(r.local()), text(r.remote()),
                r.fallback(), subflows);
    }

    /** {@code 0x0000abcd}: as {@code String.format("0x%08x", value)}, without a Formatter per connection and second. */
    static String hex32(long value) {
        String h = Long.toHexString(value);
        return "0x" + "00000000".substring(Math.min(8, h.length())) + h;
    }

    /** {@code 198.18.1.1:5000}, {@code [2001:2::1]:5000}. */
    static String text(InetSocketAddress a) {
        if (a == null) {
            return "";
        }
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
