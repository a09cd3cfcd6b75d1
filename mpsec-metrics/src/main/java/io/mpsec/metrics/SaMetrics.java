package io.mpsec.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mpsec.ipsec.paths.PathSa;
import io.mpsec.ipsec.xfrm.SaUsage;
import io.mpsec.ipsec.xfrm.msg.SaId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Per-SA series for the SAs one {@code SecurePaths} installed (never other SAs of the host, so the
 * cardinality is bounded by MPSec's own paths: 2 per address pair and live generation), read with
 * XFRM_MSG_GETAE, which never carries key material:
 * <ul>
 *   <li>{@code mpsec.sa.bytes}, {@code mpsec.sa.packets}: function counters;</li>
 *   <li>{@code mpsec.sa.age}: seconds since the SA was installed;</li>
 *   <li>{@code mpsec.sa.lifetime.remaining}: seconds until its hard time limit (NaN without one).</li>
 * </ul>
 * Tags: {@code netns}, {@code src}, {@code dst}, {@code spi} (hex), {@code direction} ({@code in}/
 * {@code out}), {@code generation}. The SA list is re-read at every {@link #sample()}: new SAs get
 * meters, retired ones lose them.
 */
public final class SaMetrics implements MeterBinder, Sampled {
    private final String netns;
    private final Sources.SaList sas;
    private final Sources.SaUsageSource usage;
    private final LongSupplier nanoClock;
    private final LongSupplier epochSeconds;
    private final Map<SaId, List<Meter>> meters = new HashMap<>();
    private MeterRegistry registry;
    private volatile int count;

    /**
     * @param namespace the namespace the SAs live in ({@code null}: the JVM's own), for the tag
     * @param sas the SAs MPSec installed ({@code securePaths::installedSas})
     * @param usage GETAE ({@code xfrmClient::usage})
     */
    public SaMetrics(String namespace, Sources.SaList sas, Sources.SaUsageSource usage) {
        this(namespace, sas, usage, System::nanoTime, () -> System.currentTimeMillis() / 1000);
    }

    SaMetrics(String namespace, Sources.SaList sas, Sources.SaUsageSource usage, LongSupplier nanoClock,
            LongSupplier epochSeconds) {
        this.netns = io.mpsec.metrics.Tags.netns(namespace);
        this.sas = sas;
        this.usage = usage;
        this.nanoClock = nanoClock;
        this.epochSeconds = epochSeconds;
    }

    @Override
    public synchronized void bindTo(MeterRegistry r) {
        registry = r;
        // held strongly by the registry (function counters keep only weak references to their state)
        Gauge.builder("mpsec.sa.installed", this, SaMetrics::saCount).description("MPSec SAs with per-SA series")
                .tags(io.mpsec.metrics.Tags.NETNS, netns).strongReference(true).register(r);
        sample();
    }

    @Override
    public synchronized void sample() {
        if (registry == null) {
            return;
        }
        Set<SaId> live = new HashSet<>();
        for (List<PathSa> generation : sas.installedSas().values()) {
            for (PathSa p : generation) {
                SaId id = p.id();
                live.add(id);
                if (!meters.containsKey(id)) {
                    meters.put(id, register(p, id));
                }
            }
        }
        for (SaId id : new ArrayList<>(meters.keySet())) {
            if (!live.contains(id)) {
                meters.remove(id).forEach(registry::remove);
            }
        }
        count = meters.size();
    }

    private List<Meter> register(PathSa p, SaId id) {
        Tags tags = Tags.of(io.mpsec.metrics.Tags.NETNS, netns, "src", id.source().getHostAddress(), "dst",
                id.destination().getHostAddress(), "spi", String.format("0x%08x", id.spi()), "direction",
                p.outbound() ? "out" : "in", "generation", Long.toString(p.generation()));
        Cached<Optional<SaUsage>> u = new Cached<>(() -> usage.usage(id), Optional.empty(),
                io.mpsec.metrics.Tags.NANOS_PER_READ, nanoClock);
        long hard = p.sa().lifetime().hardAddSeconds();
        List<Meter> out = new ArrayList<>();
        out.add(FunctionCounter.builder("mpsec.sa.bytes", u, c -> c.get().map(SaUsage::bytes).orElse(0L))
                .description("Bytes this SA protected (out) or verified (in), from GETAE").baseUnit("bytes").tags(tags)
                .register(registry));
        out.add(FunctionCounter.builder("mpsec.sa.packets", u, c -> c.get().map(SaUsage::packets).orElse(0L))
                .description("Packets of this SA, from GETAE").baseUnit("packets").tags(tags).register(registry));
        out.add(Gauge.builder("mpsec.sa.age", u, c -> age(c.get())).description("Seconds since the SA was installed")
                .baseUnit("seconds").tags(tags).strongReference(true).register(registry));
        out.add(Gauge.builder("mpsec.sa.lifetime.remaining", u, c -> {
            double age = age(c.get());
            return hard == 0 || Double.isNaN(age) ? Double.NaN : Math.max(0, hard - age);
        }).description("Seconds until the SA's hard time limit (NaN: no limit)").baseUnit("seconds").tags(tags)
                .register(registry));
        return out;
    }

    private double age(Optional<SaUsage> u) {
        return u.filter(x -> x.addTime() > 0).map(x -> (double) Math.max(0, epochSeconds.getAsLong() - x.addTime()))
                .orElse(Double.NaN);
    }

    /** How many SAs have meters now. */
    public int saCount() {
        return count;
    }
}
