package io.mpsec.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mpsec.ipsec.paths.RekeyHealth;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The health of one {@code AutoRekey} ({@code autoRekey::health}), tagged {@code netns}:
 * <ul>
 *   <li>{@code mpsec.rekey.state{state}}: 1 for the current state (RUNNING, DEGRADED, STOPPED), 0 for the others;</li>
 *   <li>{@code mpsec.rekey.rekeys}, {@code mpsec.rekey.overruns}: function counters (rekeys done, event overruns);</li>
 *   <li>{@code mpsec.rekey.last.age}: seconds since the last rekey (NaN before the first);</li>
 *   <li>{@code mpsec.rekey.consecutive.failures}, {@code mpsec.rekey.generation}: gauges.</li>
 * </ul>
 * The health snapshot carries no key material.
 */
public final class RekeyMetrics implements MeterBinder {
    private final String netns;
    private final Supplier<RekeyHealth> health;
    private final Supplier<Instant> clock;

    /** Reads {@code health} ({@code autoRekey::health}) at every scrape; cheap, it is a snapshot. */
    public RekeyMetrics(String namespace, Supplier<RekeyHealth> health) {
        this(namespace, health, Instant::now);
    }

    RekeyMetrics(String namespace, Supplier<RekeyHealth> health, Supplier<Instant> clock) {
        this.netns = Tags.netns(namespace);
        this.health = health;
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry r) {
        for (RekeyHealth.State s : RekeyHealth.State.values()) {
            Gauge.builder("mpsec.rekey.state", health, h -> h.get().state() == s ? 1 : 0)
                    .description("1 for AutoRekey's current state").tags(Tags.NETNS, netns, "state", s.name()).strongReference(true).register(r);
        }
        FunctionCounter.builder("mpsec.rekey.rekeys", health, h -> h.get().rekeys())
                .description("Outbound generation changes made by AutoRekey").tags(Tags.NETNS, netns).register(r);
        FunctionCounter.builder("mpsec.rekey.overruns", health, h -> h.get().eventOverruns())
                .description("xfrm event overruns (ENOBUFS) AutoRekey noticed").tags(Tags.NETNS, netns).register(r);
        Gauge.builder("mpsec.rekey.last.age", health, h -> {
            Instant at = h.get().lastRekeyAt();
            return at == null ? Double.NaN : Math.max(0, (clock.get().toEpochMilli() - at.toEpochMilli()) / 1000.0);
        }).description("Seconds since the last rekey (NaN before the first)").baseUnit("seconds")
                .tags(Tags.NETNS, netns).register(r);
        Gauge.builder("mpsec.rekey.consecutive.failures", health, h -> h.get().consecutiveFailures())
                .description("Failed attempts since everything last worked").tags(Tags.NETNS, netns).register(r);
        Gauge.builder("mpsec.rekey.generation", health, h -> h.get().activeGeneration())
                .description("The active outbound key generation").tags(Tags.NETNS, netns).register(r);
    }
}
