package io.mpsec.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Per-interface counters of one namespace from rtnetlink link stats64, as {@code ip -s link} shows them:
 * <ul>
 *   <li>{@code mpsec.interface.bytes}, {@code .packets}, {@code .errors}, {@code .drops}: function
 *       counters tagged {@code netns}, {@code interface}, {@code direction} ({@code rx}/{@code tx});</li>
 *   <li>{@code mpsec.interface.throughput}: a gauge of bytes per second over the last sampling period,
 *       same tags, updated by {@link #sample()} (a {@link Sampler}).</li>
 * </ul>
 * Interfaces that appear later get their meters at the next sample; those that vanish lose them.
 * The link dump is shared by all meters of a scrape (read at most every 250 ms).
 */
public final class InterfaceMetrics implements MeterBinder, Sampled {
    private final String netns;
    private final Cached<Map<String, LinkStats>> links;
    private final LongSupplier nanoClock;
    private final Map<String, List<Meter>> meters = new HashMap<>();
    private final Map<String, double[]> rates = new java.util.concurrent.ConcurrentHashMap<>();
    private Map<String, LinkStats> previous;
    private long previousAt;
    private MeterRegistry registry;

    /**
     * @param namespace the {@code ip netns} name, {@code null} for the JVM's own (tag {@code netns="host"})
     * @param source the link counters of that namespace, e.g. {@link LinkStatsReader#open}
     */
    public InterfaceMetrics(String namespace, Sources.LinkSource source) {
        this(namespace, source, System::nanoTime);
    }

    InterfaceMetrics(String namespace, Sources.LinkSource source, LongSupplier nanoClock) {
        this.netns = Tags.netns(namespace);
        this.nanoClock = nanoClock;
        this.links = new Cached<>(() -> byName(source.links()), Map.of(), Tags.NANOS_PER_READ, nanoClock);
    }

    private static Map<String, LinkStats> byName(List<LinkStats> list) {
        Map<String, LinkStats> m = new HashMap<>();
        list.forEach(s -> m.put(s.name(), s));
        return m;
    }

    @Override
    public synchronized void bindTo(MeterRegistry r) {
        this.registry = r;
        sample();
    }

    @Override
    public synchronized void sample() {
        if (registry == null) {
            return;
        }
        long now = nanoClock.getAsLong();
        Map<String, LinkStats> cur = links.refresh();
        for (String name : cur.keySet()) {
            if (!meters.containsKey(name)) {
                meters.put(name, register(name));
            }
        }
        for (String name : new ArrayList<>(meters.keySet())) {
            if (!cur.containsKey(name)) {
                meters.remove(name).forEach(registry::remove);
                rates.remove(name);
            }
        }
        if (previous != null && now > previousAt) {
            double secs = (now - previousAt) / 1e9;
            cur.forEach((name, s) -> {
                LinkStats p = previous.get(name);
                if (p != null && p.index() == s.index()) {
                    rates.put(name, new double[] {Math.max(0, s.rxBytes() - p.rxBytes()) / secs,
                        Math.max(0, s.txBytes() - p.txBytes()) / secs});
                }
            });
        }
        previous = cur;
        previousAt = now;
    }

    /** The last sampled rate of {@code iface} in bytes per second ({@code rx} true: received), 0 before two samples. */
    public double rate(String iface, boolean rx) {
        double[] r = rates.get(iface);
        return r == null ? 0 : r[rx ? 0 : 1];
    }

    private List<Meter> register(String name) {
        List<Meter> out = new ArrayList<>();
        counter(out, name, "bytes", "bytes", "Bytes received or sent (ip -s link)", LinkStats::rxBytes, LinkStats::txBytes);
        counter(out, name, "packets", "packets", "Packets received or sent", LinkStats::rxPackets, LinkStats::txPackets);
        counter(out, name, "errors", null, "Receive or transmit errors", LinkStats::rxErrors, LinkStats::txErrors);
        counter(out, name, "drops", null, "Packets dropped on receive or transmit", LinkStats::rxDropped,
                LinkStats::txDropped);
        for (boolean rx : new boolean[] {true, false}) {
            out.add(Gauge.builder("mpsec.interface.throughput", this, m -> m.rate(name, rx))
                    .description("Bytes per second over the last sampling period (1 s)")
                    .baseUnit("bytes.per.second").strongReference(true)
                    .tags(Tags.NETNS, netns, "interface", name, "direction", rx ? "rx" : "tx").register(registry));
        }
        return out;
    }

    private void counter(List<Meter> out, String name, String what, String unit, String help,
            ToLongFunction<LinkStats> rx, ToLongFunction<LinkStats> tx) {
        for (boolean isRx : new boolean[] {true, false}) {
            ToLongFunction<LinkStats> f = isRx ? rx : tx;
            out.add(FunctionCounter.builder("mpsec.interface." + what, links, c -> {
                LinkStats s = c.get().get(name);
                return s == null ? 0 : f.applyAsLong(s);
            }).description(help).baseUnit(unit)
                    .tags(Tags.NETNS, netns, "interface", name, "direction", isRx ? "rx" : "tx").register(registry));
        }
    }
}
