package io.mpsec.agent.status;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Builds the answer to a status request from what the agent already has: the meters in its registry
 * (interfaces and their rates, SAs, rekey health, xfrm_stat, read failures; whatever binders the agent
 * registered) plus the sections of registered {@link StatusSource}s (for example the connections).
 * The result is a tree of maps and lists, serialized to JSON by {@link StatusServer}.
 *
 * <p>Nothing here can carry key material: meters are tagged by addresses, SPI and generation only.
 */
public final class StatusCollector {
    /** SAs closer than this to their hard lifetime are reported as a warning. */
    static final double SA_LIFETIME_WARNING_SECONDS = 120;
    private final MeterRegistry registry;
    private final List<String> namespaces;
    private final Supplier<Map<String, Object>> agentInfo;
    private final Function<String, Map<String, String>> linkStates;
    private final Map<String, StatusSource> sources = new ConcurrentHashMap<>();

    /**
     * @param registry the agent's registry
     * @param namespaces the watched namespaces as their {@code netns} tag values ({@code host} for the agent's own)
     * @param agentInfo facts about the agent itself (pid, uptime, HTTP address, authentication)
     * @param linkStates the interfaces' states of a namespace (by its tag value), name to {@code up},
     *        {@code no-carrier} or {@code down} (an rtnetlink dump); interfaces it does not list are {@code gone}
     */
    public StatusCollector(MeterRegistry registry, List<String> namespaces, Supplier<Map<String, Object>> agentInfo,
            Function<String, Map<String, String>> linkStates) {
        this.registry = registry;
        this.namespaces = List.copyOf(namespaces);
        this.agentInfo = agentInfo;
        this.linkStates = linkStates;
    }

    /** Adds (or replaces) the section {@code name}, for example {@code "connections"}. */
    public void register(String name, StatusSource source) {
        if (!name.matches("[a-z][a-zA-Z0-9]*") || name.equals("agent") || name.equals("namespaces")
                || name.equals("warnings")) {
            throw new IllegalArgumentException("status section name '" + name + "' must be a lower camelCase word and "
                    + "not agent, namespaces or warnings");
        }
        sources.put(name, source);
    }

    /** The status now. */
    public Map<String, Object> collect() {
        List<String> warnings = new ArrayList<>();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("protocol", StatusServer.PROTOCOL_VERSION);
        out.put("time", Instant.now().toString());
        out.put("agent", agentInfo.get());
        List<Object> ns = new ArrayList<>();
        for (String n : namespaces) {
            ns.add(namespace(n, warnings));
        }
        out.put("namespaces", ns);
        if (!sources.containsKey("connections")) {
            out.put("connections", null);
        }
        for (Map.Entry<String, StatusSource> e : new TreeMap<>(sources).entrySet()) {
            try {
                out.put(e.getKey(), e.getValue().snapshot());
            } catch (Exception ex) {
                out.put(e.getKey(), null);
                warnings.add(e.getKey() + ": cannot be read (" + ex.getClass().getSimpleName() + ")");
            }
        }
        out.put("warnings", warnings);
        return out;
    }

    private Map<String, Object> namespace(String n, List<String> warnings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", n);
        m.put("interfaces", interfaces(n, warnings));
        m.put("sas", sas(n, warnings));
        Map<String, Object> rekey = rekey(n, warnings);
        if (rekey != null) {
            m.put("rekey", rekey);
        }
        Map<String, Object> xfrm = new LinkedHashMap<>();
        for (String c : new String[] {"XfrmOutPolBlock", "XfrmOutNoStates", "XfrmInNoStates", "XfrmInStateProtoError",
            "XfrmInStateSeqError"}) {
            FunctionCounter f = registry.find("mpsec.xfrm.stat").tag("netns", n).tag("counter", c).functionCounter();
            if (f != null) {
                xfrm.put(c, (long) f.count());
            }
        }
        if (!xfrm.isEmpty()) {
            m.put("xfrm", xfrm);
            if (xfrm.getOrDefault("XfrmInStateProtoError", 0L) instanceof Long v && v > 0) {
                warnings.add(n + ": " + v + " ESP packets failed integrity checks (XfrmInStateProtoError)");
            }
        }
        for (Gauge g : registry.find("mpsec.metrics.read.failures").tag("netns", n).gauges()) {
            if (g.value() > 0) {
                warnings.add(n + ": " + (long) g.value() + " failed reads of " + g.getId().getTag("source"));
            }
        }
        return m;
    }

    private List<Object> interfaces(String n, List<String> warnings) {
        Map<String, String> states;
        try {
            states = linkStates.apply(n);
        } catch (RuntimeException e) {
            states = null;
            warnings.add(n + ": interface states cannot be read (" + e.getMessage() + ")");
        }
        Map<String, String> st = states;
        Map<String, Map<String, Object>> byName = new TreeMap<>();
        for (Meter meter : registry.find("mpsec.interface.bytes").tag("netns", n).meters()) {
            String iface = meter.getId().getTag("interface");
            Map<String, Object> i = byName.computeIfAbsent(iface, k -> newInterface(k, st));
            i.put(meter.getId().getTag("direction") + "Bytes", (long) count(meter));
        }
        for (Gauge g : registry.find("mpsec.interface.throughput").tag("netns", n).gauges()) {
            Map<String, Object> i = byName.get(g.getId().getTag("interface"));
            if (i != null) {
                i.put(g.getId().getTag("direction") + "BytesPerSecond", round(g.value()));
            }
        }
        for (String what : new String[] {"errors", "drops"}) {
            for (Meter meter : registry.find("mpsec.interface." + what).tag("netns", n).meters()) {
                Map<String, Object> i = byName.get(meter.getId().getTag("interface"));
                if (i != null) {
                    i.merge(what, (long) count(meter), (a, b) -> (Long) a + (Long) b);
                }
            }
        }
        for (Map<String, Object> i : byName.values()) {
            if (i.get("errors") instanceof Long e && e > 0) {
                warnings.add(n + ": interface " + i.get("name") + " has " + e + " errors");
            }
        }
        return new ArrayList<>(byName.values());
    }

    private static Map<String, Object> newInterface(String name, Map<String, String> states) {
        Map<String, Object> i = new LinkedHashMap<>();
        i.put("name", name);
        i.put("state", states == null ? "unknown" : states.getOrDefault(name, "gone"));
        return i;
    }

    private List<Object> sas(String n, List<String> warnings) {
        Map<String, Map<String, Object>> bySpi = new TreeMap<>();
        for (Meter meter : registry.find("mpsec.sa.bytes").tag("netns", n).meters()) {
            Meter.Id id = meter.getId();
            Map<String, Object> sa = new LinkedHashMap<>();
            for (String t : new String[] {"direction", "src", "dst", "spi", "generation"}) {
                sa.put(t, id.getTag(t));
            }
            sa.put("bytes", (long) count(meter));
            bySpi.put(id.getTag("dst") + "/" + id.getTag("spi"), sa);
        }
        for (String[] g : new String[][] {{"mpsec.sa.age", "ageSeconds"}, {"mpsec.sa.lifetime.remaining", "lifetimeRemainingSeconds"}}) {
            for (Gauge gauge : registry.find(g[0]).tag("netns", n).gauges()) {
                Map<String, Object> sa = bySpi.get(gauge.getId().getTag("dst") + "/" + gauge.getId().getTag("spi"));
                if (sa != null) {
                    double v = gauge.value();
                    sa.put(g[1], Double.isNaN(v) ? null : Math.round(v));
                }
            }
        }
        for (Map<String, Object> sa : bySpi.values()) {
            String what = "SA " + sa.get("spi") + " " + sa.get("src") + " -> " + sa.get("dst");
            if (sa.get("ageSeconds") == null) {
                warnings.add(n + ": " + what + " is not in the kernel");
            } else if (sa.get("lifetimeRemainingSeconds") instanceof Long left && left < SA_LIFETIME_WARNING_SECONDS) {
                warnings.add(n + ": " + what + " reaches its hard lifetime in " + left + " s");
            }
        }
        return new ArrayList<>(bySpi.values());
    }

    private Map<String, Object> rekey(String n, List<String> warnings) {
        String state = null;
        for (Gauge g : registry.find("mpsec.rekey.state").tag("netns", n).gauges()) {
            if (g.value() == 1) {
                state = g.getId().getTag("state");
            }
        }
        if (state == null) {
            return null;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("state", state);
        r.put("generation", (long) value("mpsec.rekey.generation", n));
        r.put("rekeys", (long) value("mpsec.rekey.rekeys", n));
        double age = value("mpsec.rekey.last.age", n);
        r.put("lastRekeyAgeSeconds", Double.isNaN(age) ? null : Math.round(age));
        long failures = (long) value("mpsec.rekey.consecutive.failures", n);
        r.put("consecutiveFailures", failures);
        if (!state.equals("RUNNING")) {
            warnings.add(n + ": rekeying is " + state);
        } else if (failures > 0) {
            warnings.add(n + ": " + failures + " rekey attempts failed in a row");
        }
        return r;
    }

    private double value(String name, String n) {
        Meter m = registry.find(name).tag("netns", n).meter();
        return m == null ? Double.NaN : count(m);
    }

    private static double count(Meter m) {
        if (m instanceof FunctionCounter f) {
            return f.count();
        }
        if (m instanceof Gauge g) {
            return g.value();
        }
        if (m instanceof io.micrometer.core.instrument.Counter c) {
            return c.count();
        }
        return Double.NaN;
    }

    private static double round(double v) {
        return Double.isNaN(v) ? 0 : Math.round(v * 10) / 10.0;
    }

    /** How long ago {@code start} was, for {@code agentInfo}. */
    public static long secondsSince(Instant start) {
        return Duration.between(start, Instant.now()).toSeconds();
    }
}
