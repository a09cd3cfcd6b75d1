package io.mpsec.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;

/**
 * The host-level series of one namespace in one call: {@link InterfaceMetrics} (link stats64 and
 * rates), {@link CounterMetrics#mptcpMib} and {@link CounterMetrics#xfrmStat}, bound to a registry and
 * sampled by a {@link Sampler}. Closing it stops the namespace thread and the netlink socket (the
 * meters stay registered, frozen at their last values; remove them from the registry if needed).
 */
public final class NamespaceMetrics implements AutoCloseable {
    private final NetNamespace ns;
    private final LinkStatsReader links;
    private final InterfaceMetrics interfaces;
    private final CounterMetrics mib;
    private final CounterMetrics xfrm;

    private NamespaceMetrics(NetNamespace ns, LinkStatsReader links, String name) {
        this.ns = ns;
        this.links = links;
        this.interfaces = new InterfaceMetrics(name, links);
        this.mib = CounterMetrics.mptcpMib(name, ProcCounters.mptcpMib(ns));
        this.xfrm = CounterMetrics.xfrmStat(name, ProcCounters.xfrmStat(ns));
    }

    /**
     * Watches namespace {@code name} ({@code null}: the JVM's own), registering its meters in
     * {@code registry} and adding them to {@code sampler}.
     *
     * @throws IOException when the namespace does not exist or cannot be entered (needs CAP_SYS_ADMIN)
     */
    public static NamespaceMetrics watch(String name, MeterRegistry registry, Sampler sampler) throws IOException {
        NetNamespace ns = name == null ? null : NetNamespace.open(name);
        try {
            NamespaceMetrics m = new NamespaceMetrics(ns, LinkStatsReader.open(ns), name);
            for (Sampled b : new Sampled[] {m.interfaces, m.mib, m.xfrm}) {
                ((io.micrometer.core.instrument.binder.MeterBinder) b).bindTo(registry);
                sampler.add(b);
            }
            return m;
        } catch (IOException | RuntimeException e) {
            if (ns != null) {
                ns.close();
            }
            throw e;
        }
    }

    /** The interface binder (rates for tests and dashboards). */
    public InterfaceMetrics interfaces() {
        return interfaces;
    }

    /** The MPTcpExt binder. */
    public CounterMetrics mptcpMib() {
        return mib;
    }

    /** The xfrm_stat binder. */
    public CounterMetrics xfrmStat() {
        return xfrm;
    }

    @Override
    public void close() throws IOException {
        try {
            links.close();
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }
}
