package io.mpsec.metrics.security;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mpsec.ipsec.inspect.InspectorVerdict;
import io.mpsec.ipsec.inspect.InterfaceTraffic;
import io.mpsec.ipsec.inspect.PeerTrafficCounters;
import io.mpsec.ipsec.inspect.TrafficClass;
import io.mpsec.ipsec.inspect.TrafficVerdict;
import io.mpsec.ipsec.inspect.TrafficWindow;
import io.mpsec.metrics.Sampled;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Packet security per interface and namespace, from the kernel counters of
 * {@link PeerTrafficCounters} (traffic between the configured peers only):
 * <ul>
 *   <li>{@code mpsec.packet.security.packets} and {@code .bytes}: function counters tagged
 *       {@code netns}, {@code interface}, {@code class} ({@code esp}, {@code tcp}, {@code other}) and
 *       {@code direction} ({@code in}, {@code out}); bytes are IP bytes;</li>
 *   <li>{@code mpsec.packet.security.verdict}: a gauge per {@code netns}, {@code interface} and
 *       {@code verdict} ({@code esp}, {@code cleartext}, {@code unknown}), 1 for the verdict over
 *       the window and 0 for the others;</li>
 *   <li>{@code mpsec.packet.security.inspector.verdict}: the same for the inspector's last verdict,
 *       registered for an interface once it was inspected ({@link #inspect}; off unless an
 *       inspector was given and called);</li>
 *   <li>{@code mpsec.metrics.read.failures{netns, source="mpsec.packet.security"}}.</li>
 * </ul>
 * Cardinality is bounded: the interfaces are those listed when the counters were installed (at most
 * 64) plus {@code (unlisted)}; 6 counters x 2 + 3 verdicts (+ 3 inspector verdicts) each. No key,
 * address or payload appears in a tag. {@link #sample()} (a {@link io.mpsec.metrics.Sampler}, every
 * second) reads the counters once, with one netlink request; the meters show the last read.
 */
public final class PacketSecurityMetrics implements MeterBinder, Sampled {
    /** Reads the counters per interface: {@link PeerTrafficCounters#read()}. */
    @FunctionalInterface
    public interface CounterSource {
        Map<String, InterfaceTraffic> read() throws IOException;
    }

    /** Inspects one interface on demand: e.g. {@code iface -> PeerInspector.inspect(ns, iface, peers, 20, Duration.ofSeconds(2))}. */
    @FunctionalInterface
    public interface Inspector {
        InspectorVerdict inspect(String iface) throws IOException;
    }

    static final String NETNS = "netns";
    static final String HOST_NS = "host";
    private static final String SOURCE = "mpsec.packet.security";

    private final String netns;
    private final CounterSource source;
    private final Inspector inspector;
    private final TrafficWindow window;
    private final LongSupplier nanos;
    private final Clock clock;
    private final Map<String, InspectorVerdict> inspections = new ConcurrentHashMap<>();
    private final Map<String, Instant> inspectedAt = new ConcurrentHashMap<>();
    private volatile Map<String, InterfaceTraffic> last = Map.of();
    private volatile Map<String, TrafficVerdict> verdicts = Map.of();
    private volatile long failures;
    private volatile String lastError;
    private MeterRegistry registry;
    private final List<String> registered = new ArrayList<>();
    private final List<String> inspectorRegistered = new ArrayList<>();

    /**
     * @param namespace the {@code ip netns} name, {@code null} for the JVM's own (tag {@code netns="host"})
     * @param source the counters, e.g. {@code counters::read}
     * @param window the verdict window (e.g. 10 s: ESP only if only ESP moved in the last 10 s)
     * @param inspector the on-demand inspector, or {@code null} to leave it off (the default)
     */
    public PacketSecurityMetrics(String namespace, CounterSource source, Duration window, Inspector inspector) {
        this(namespace, source, window, inspector, System::nanoTime, Clock.systemUTC());
    }

    PacketSecurityMetrics(String namespace, CounterSource source, Duration window, Inspector inspector, LongSupplier nanos,
            Clock clock) {
        this.netns = namespace == null ? HOST_NS : namespace;
        this.source = source;
        this.window = new TrafficWindow(window);
        this.inspector = inspector;
        this.nanos = nanos;
        this.clock = clock;
    }

    @Override
    public synchronized void bindTo(MeterRegistry r) {
        this.registry = r;
        Gauge.builder("mpsec.metrics.read.failures", this, m -> m.failures)
                .description("Failed reads of a kernel counter source (the meters keep their last values)")
                .tags(NETNS, netns, "source", SOURCE).strongReference(true).register(r);
        sample();
    }

    /** Reads the counters once, updates the window and the verdicts, registers meters for new interfaces. Never throws. */
    @Override
    public synchronized void sample() {
        Map<String, InterfaceTraffic> now;
        try {
            now = source.read();
            lastError = null;
        } catch (IOException | RuntimeException e) {
            failures++;
            lastError = e.getMessage();
            return;
        }
        window.add(nanos.getAsLong(), now);
        last = Map.copyOf(now);
        verdicts = Map.copyOf(window.verdicts());
        if (registry != null) {
            for (String iface : now.keySet()) {
                if (!registered.contains(iface)) {
                    register(iface);
                    registered.add(iface);
                }
            }
        }
    }

    private void register(String iface) {
        for (TrafficClass c : TrafficClass.values()) {
            for (boolean in : new boolean[] {true, false}) {
                String[] tags = {NETNS, netns, "interface", iface, "class", c.tag(), "direction", in ? "in" : "out"};
                FunctionCounter.builder("mpsec.packet.security.packets", this, m -> m.count(iface, c, in, false))
                        .description("Packets between the configured peers, counted in the kernel (nftables table inet mpsec_stats)")
                        .baseUnit("packets").tags(tags).register(registry);
                FunctionCounter.builder("mpsec.packet.security.bytes", this, m -> m.count(iface, c, in, true))
                        .description("IP bytes between the configured peers, counted in the kernel")
                        .baseUnit("bytes").tags(tags).register(registry);
            }
        }
        for (TrafficVerdict v : TrafficVerdict.values()) {
            Gauge.builder("mpsec.packet.security.verdict", this, m -> m.verdict(iface) == v ? 1 : 0)
                    .description("1 for the verdict of the last window: esp (only ESP moved between the peers), "
                            + "cleartext (anything moved in clear), unknown (nothing moved)")
                    .tags(NETNS, netns, "interface", iface, "verdict", v.tag()).strongReference(true).register(registry);
        }
    }

    private double count(String iface, TrafficClass c, boolean in, boolean bytes) {
        InterfaceTraffic t = last.get(iface);
        if (t == null) {
            return 0;
        }
        return bytes ? t.get(c, in).bytes() : t.get(c, in).packets();
    }

    /** The verdict of {@code iface} over the last window (UNKNOWN for an interface not counted). */
    public TrafficVerdict verdict(String iface) {
        return verdicts.getOrDefault(iface, TrafficVerdict.UNKNOWN);
    }

    /**
     * Runs the inspector on {@code iface} now (blocking for its capture) and records its verdict in
     * {@code mpsec.packet.security.inspector.verdict}.
     *
     * @throws IllegalStateException when no inspector was given (it is off by default)
     * @throws IllegalArgumentException when {@code iface} is not a counted interface
     */
    public InspectorVerdict inspect(String iface) throws IOException {
        if (inspector == null) {
            throw new IllegalStateException("the packet inspector is off; give an Inspector to PacketSecurityMetrics to enable it");
        }
        if (!last.containsKey(iface) || PeerTrafficCounters.UNLISTED.equals(iface)) {
            throw new IllegalArgumentException("interface '" + iface + "' is not one of the counted interfaces " + listed()
                    + "; inspect one of them");
        }
        InspectorVerdict v = inspector.inspect(iface);
        inspections.put(iface, v);
        inspectedAt.put(iface, clock.instant());
        synchronized (this) {
            if (registry != null && !inspectorRegistered.contains(iface)) {
                inspectorRegistered.add(iface);
                for (TrafficVerdict t : TrafficVerdict.values()) {
                    Gauge.builder("mpsec.packet.security.inspector.verdict", this,
                            m -> m.inspections.get(iface) != null && m.inspections.get(iface).verdict() == t ? 1 : 0)
                            .description("1 for the inspector's last verdict on this interface (a short capture "
                                    + "between the peers, classified packet by packet)")
                            .tags(NETNS, netns, "interface", iface, "verdict", t.tag()).strongReference(true).register(registry);
                }
            }
        }
        return v;
    }

    private List<String> listed() {
        List<String> l = new ArrayList<>(last.keySet());
        l.remove(PeerTrafficCounters.UNLISTED);
        l.sort(null);
        return l;
    }

    /** Every counted interface with its verdict, counters and last inspection: the dashboard's source. */
    public List<InterfaceSecurity> snapshot() {
        Map<String, InterfaceTraffic> moved = window.moved();
        List<InterfaceSecurity> out = new ArrayList<>();
        Map<String, InterfaceTraffic> cur = new LinkedHashMap<>(last);
        cur.keySet().stream().sorted().forEach(iface -> out.add(new InterfaceSecurity(netns, iface, verdict(iface),
                cur.get(iface), moved.getOrDefault(iface, InterfaceTraffic.zero(iface)), inspections.get(iface),
                inspectedAt.get(iface))));
        return out;
    }

    /** Failed reads so far. */
    public long failures() {
        return failures;
    }

    /** The last read's error message, or {@code null} when it succeeded. */
    public String lastError() {
        return lastError;
    }
}
