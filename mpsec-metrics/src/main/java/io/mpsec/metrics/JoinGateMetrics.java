package io.mpsec.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mpsec.ipsec.paths.JoinGate;

/**
 * The MPTCP join gate's refused joins ({@code JoinGate.of(ns).drops()}), as
 * {@code mpsec.joingate.drops{netns, direction}} ({@code out}: joins this host tried to send without
 * IPsec, {@code in}: joins that arrived without it). Each read runs {@code nft}, so it is made at most
 * once every 2 s.
 */
public final class JoinGateMetrics implements MeterBinder {
    private static final long MAX_AGE_NANOS = 2_000_000_000L;
    private final String netns;
    private final Cached<JoinGate.Drops> drops;

    /** The gate of namespace {@code namespace} ({@code null}: the JVM's own), read from {@code gate}. */
    public JoinGateMetrics(String namespace, JoinGate gate) {
        this(namespace, gate::drops);
    }

    JoinGateMetrics(String namespace, Cached.Reader<JoinGate.Drops> source) {
        this.netns = Tags.netns(namespace);
        this.drops = new Cached<>(source, new JoinGate.Drops(0, 0), MAX_AGE_NANOS, System::nanoTime);
    }

    @Override
    public void bindTo(MeterRegistry r) {
        // held strongly by the registry: function counters keep only weak references to their state
        io.micrometer.core.instrument.Gauge.builder("mpsec.metrics.read.failures", drops, Cached::failures)
                .description("Failed reads of a kernel counter source (the meters keep their last values)")
                .tags(Tags.NETNS, netns, "source", "mpsec.joingate.drops").strongReference(true).register(r);
        FunctionCounter.builder("mpsec.joingate.drops", drops, c -> c.get().refusedOutbound())
                .description("MPTCP joins refused by the join gate (packets)")
                .tags(Tags.NETNS, netns, "direction", "out").register(r);
        FunctionCounter.builder("mpsec.joingate.drops", drops, c -> c.get().droppedInbound())
                .description("MPTCP joins refused by the join gate (packets)")
                .tags(Tags.NETNS, netns, "direction", "in").register(r);
    }
}
