package io.mpsec.agent;

import io.mpsec.agent.web.PacketSecuritySource.InterfaceCounters;
import io.mpsec.ipsec.inspect.InterfaceTraffic;
import io.mpsec.ipsec.inspect.PeerAddresses;
import io.mpsec.ipsec.inspect.PeerTrafficCounters;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.metrics.security.PacketSecurityMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Packet security of one namespace for a running agent: kernel counters of ESP and cleartext between
 * the configured peers ({@link PeerTrafficCounters}, table {@code inet mpsec_stats}, counting only),
 * bound to the agent's metrics and feeding the dashboard's packet security panel.
 */
public final class PeerSecurityWatch implements AutoCloseable {
    private final PeerTrafficCounters counters;
    private final NetNamespace ns;

    private PeerSecurityWatch(PeerTrafficCounters counters, NetNamespace ns) {
        this.counters = counters;
        this.ns = ns;
    }

    /**
     * Installs the counters in namespace {@code name} ({@code null}: the agent's own, shown as
     * {@code label}) for traffic between {@code local} and {@code remote} on {@code interfaces}, and
     * registers them with {@code agent}.
     */
    public static PeerSecurityWatch start(ServeCommand.Agent agent, String label, String name, List<InetAddress> local,
            List<InetAddress> remote, List<String> interfaces) throws IOException {
        NetNamespace ns = name == null ? null : NetNamespace.open(name);
        PeerTrafficCounters counters;
        try {
            counters = PeerTrafficCounters.install(ns, PeerAddresses.of(local, remote), interfaces);
        } catch (IOException | RuntimeException e) {
            if (ns != null) {
                ns.close();
            }
            throw e;
        }
        PeerSecurityWatch w = new PeerSecurityWatch(counters, ns);
        PacketSecurityMetrics m = new PacketSecurityMetrics(name, counters::read, Duration.ofSeconds(10), null);
        m.bindTo(agent.registry());
        agent.sampler().add(m);
        agent.dashboard().packetSecurity(label, w::dashboardCounters);
        return w;
    }

    /** Cumulative counters per interface, both directions together, for the dashboard. */
    List<InterfaceCounters> dashboardCounters() throws IOException {
        List<InterfaceCounters> out = new ArrayList<>();
        for (Map.Entry<String, InterfaceTraffic> e : counters.read().entrySet()) {
            InterfaceTraffic t = e.getValue();
            out.add(new InterfaceCounters(e.getKey(), t.espIn().packets() + t.espOut().packets(), t.espIn().bytes() + t.espOut().bytes(),
                    t.tcpIn().packets() + t.tcpOut().packets() + t.otherIn().packets() + t.otherOut().packets(),
                    t.tcpIn().bytes() + t.tcpOut().bytes() + t.otherIn().bytes() + t.otherOut().bytes()));
        }
        return out;
    }

    /** Stops reading; the counting table stays (it only counts) until its namespace goes or {@code nft} removes it. */
    @Override
    public void close() throws IOException {
        try {
            counters.close();
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }
}
