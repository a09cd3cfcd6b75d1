package io.mpsec.agent.setup;

import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.MptcpPathManager;
import io.mpsec.kernel.rtnl.Address;
import io.mpsec.kernel.rtnl.Link;
import io.mpsec.kernel.rtnl.Rtnetlink;
import io.mpsec.kernel.sysctl.NetSysctl;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The network namespace setup works on, with its kernel clients opened on first use: sysctls,
 * the mptcp_pm generic netlink client, rtnetlink (links, addresses), xfrm, and {@code ip} for rules
 * and routes.
 */
final class Target implements AutoCloseable {
    private final String name;
    private final NetNamespace ns;
    private final NetSysctl sysctl;
    private final NetSysctl hostSysctl = new NetSysctl(null);
    private final IpCommand ip;
    private MptcpPathManager pm;
    private XfrmClient xfrm;

    private Target(String name, NetNamespace ns) {
        this.name = name;
        this.ns = ns;
        this.sysctl = new NetSysctl(ns);
        this.ip = new IpCommand(name);
    }

    /** @param name an {@code ip netns} name, or {@code null} for this process's own namespace */
    static Target open(String name) throws SetupException {
        if (name == null) {
            return new Target(null, null);
        }
        try {
            return new Target(name, NetNamespace.open(name));
        } catch (IOException e) {
            throw new SetupException("network namespace '" + name + "' cannot be opened (" + e.getMessage()
                    + "); list them with 'ip netns list'. Nothing was changed.", true, e);
        }
    }

    /** The namespace name, or {@code host}. */
    String label() {
        return name == null ? "host" : name;
    }

    String name() {
        return name;
    }

    NetNamespace namespace() {
        return ns;
    }

    NetSysctl sysctl() {
        return sysctl;
    }

    /**
     * The sysctls of {@code key}'s owner: host-wide keys ({@link #HOST_WIDE}) exist only in the initial
     * namespace (other namespaces see them read-only), so they go through this process's namespace.
     */
    NetSysctl sysctl(String key) {
        return HOST_WIDE.contains(key) ? hostSysctl : sysctl;
    }

    /** Keys that are not per namespace (net/ipv4/sysctl_net_ipv4.c ipv4_table, not ipv4_net_table). */
    static final java.util.Set<String> HOST_WIDE = java.util.Set.of("net.ipv4.tcp_allowed_congestion_control");

    IpCommand ip() {
        return ip;
    }

    MptcpPathManager pm() throws IOException {
        if (pm == null) {
            pm = MptcpPathManager.open(ns);
        }
        return pm;
    }

    XfrmClient xfrm() throws IOException {
        if (xfrm == null) {
            xfrm = ns == null ? XfrmClient.open() : XfrmClient.open(ns);
        }
        return xfrm;
    }

    List<Link> links() throws IOException {
        try (Rtnetlink r = Rtnetlink.open(ns)) {
            return r.links();
        }
    }

    List<Address> addresses() throws IOException {
        try (Rtnetlink r = Rtnetlink.open(ns)) {
            return r.addresses();
        }
    }

    Optional<Link> link(String ifname) throws IOException {
        return links().stream().filter(l -> l.name().equals(ifname)).findFirst();
    }

    @Override
    public void close() throws IOException {
        try {
            if (pm != null) {
                pm.close();
            }
            if (xfrm != null) {
                xfrm.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }
}
