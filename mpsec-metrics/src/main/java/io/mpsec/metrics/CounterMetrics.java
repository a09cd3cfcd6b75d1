package io.mpsec.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A family of kernel counters read from one file as one meter name with a {@code counter} tag, per
 * namespace. Two instances are provided:
 * <ul>
 *   <li>{@link #mptcpMib}: {@code mpsec.mptcp.mib{netns, counter}}, every MPTcpExt counter of
 *       /proc/net/netstat ({@code nstat -az 'MPTcp*'});</li>
 *   <li>{@link #xfrmStat}: {@code mpsec.xfrm.stat{netns, counter}}, every counter of
 *       /proc/net/xfrm_stat (XfrmOutPolBlock: packets the kill switch blocked; XfrmOutNoStates,
 *       XfrmInNoStates; XfrmInStateSeqError: replays; XfrmInStateProtoError: integrity failures).</li>
 * </ul>
 * The counter names are the kernel's, so the cardinality is bounded by the kernel (about 80 for MPTCP,
 * 32 for xfrm). Counters the kernel adds later are registered at the next {@link #sample()}.
 */
public final class CounterMetrics implements MeterBinder, Sampled {
    private final String name;
    private final String description;
    private final String netns;
    private final Cached<Map<String, Long>> values;
    private final Set<String> registered = new HashSet<>();
    private MeterRegistry registry;

    CounterMetrics(String name, String description, String namespace, Sources.CounterSource source, LongSupplier clock) {
        this.name = name;
        this.description = description;
        this.netns = Tags.netns(namespace);
        this.values = new Cached<>(source::read, Map.of(), Tags.NANOS_PER_READ, clock);
    }

    /** MPTcpExt of namespace {@code namespace} ({@code null}: the JVM's own), read from {@code source}. */
    public static CounterMetrics mptcpMib(String namespace, Sources.CounterSource source) {
        return new CounterMetrics("mpsec.mptcp.mib", "MPTCP MIB counter (MPTcpExt in /proc/net/netstat)", namespace,
                source, System::nanoTime);
    }

    /** /proc/net/xfrm_stat of namespace {@code namespace} ({@code null}: the JVM's own), read from {@code source}. */
    public static CounterMetrics xfrmStat(String namespace, Sources.CounterSource source) {
        return new CounterMetrics("mpsec.xfrm.stat", "IPsec drop counter (/proc/net/xfrm_stat)", namespace, source,
                System::nanoTime);
    }

    @Override
    public synchronized void bindTo(MeterRegistry r) {
        registry = r;
        // held strongly by the registry: function counters only keep weak references to their state
        io.micrometer.core.instrument.Gauge.builder("mpsec.metrics.read.failures", this, CounterMetrics::readFailures)
                .description("Failed reads of a kernel counter source (the meters keep their last values)")
                .tags(Tags.NETNS, netns, "source", name).strongReference(true).register(r);
        sample();
    }

    @Override
    public synchronized void sample() {
        if (registry == null) {
            return;
        }
        for (String counter : values.refresh().keySet()) {
            if (registered.add(counter)) {
                FunctionCounter.builder(name, values, c -> c.get().getOrDefault(counter, 0L))
                        .description(description).tags(Tags.NETNS, netns, "counter", counter).register(registry);
            }
        }
    }

    /** Reads that failed so far (the meters keep the last good values). */
    public long readFailures() {
        return values.failures();
    }

    /** The message of the last failed read, {@code null} when the last read worked. */
    public String lastError() {
        return values.lastError();
    }
}
