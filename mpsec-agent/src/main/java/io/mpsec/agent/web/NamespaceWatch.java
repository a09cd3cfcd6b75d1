package io.mpsec.agent.web;

import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.PmEventListener;
import io.mpsec.kernel.rtnl.IfInfoMsg;
import io.mpsec.kernel.rtnl.Link;
import io.mpsec.kernel.rtnl.Rtnl;
import io.mpsec.kernel.rtnl.RtnlCodec;
import io.mpsec.kernel.rtnl.RtnlEvent;
import io.mpsec.kernel.rtnl.RtnlWatcher;
import io.mpsec.metrics.LinkStats;
import io.mpsec.pm.PmEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The kernel sources of one namespace: an RTM_GETLINK dump (flags and stats64 from the same message),
 * rtnetlink link events (RTNLGRP_LINK) and MPTCP path-manager events ({@code mptcp_pm_events}). A
 * source that cannot be opened (no MPTCP) is left out and reported as an event, the rest still works.
 */
final class NamespaceWatch implements AutoCloseable {
    final String label;
    final NetNamespace ns;
    final PathTracker tracker = new PathTracker();
    private final NetlinkConnection route;
    private RtnlWatcher links;
    private PmEventListener pm;

    private NamespaceWatch(String label, NetNamespace ns, NetlinkConnection route) {
        this.label = label;
        this.ns = ns;
        this.route = route;
    }

    /**
     * Opens namespace {@code name} ({@code null}: the agent's own).
     *
     * @param onLink called on the rtnetlink thread for every link change
     * @param onPm called on the path-manager event thread for every event
     * @param onProblem told about sources that could not be opened
     */
    static NamespaceWatch open(String name, Consumer<Link> onLink, Consumer<PmEvent> onPm, Consumer<String> onProblem)
            throws IOException {
        NetNamespace ns = name == null ? null : NetNamespace.open(name);
        NamespaceWatch w = null;
        try {
            w = new NamespaceWatch(name == null ? "host" : name, ns, NetlinkConnection.open(Netlink.NETLINK_ROUTE, ns));
            w.links = RtnlWatcher.open(ns);
            w.links.subscribe(e -> {
                if (e instanceof RtnlEvent.LinkChanged lc) {
                    onLink.accept(lc.link());
                }
            });
            try {
                w.pm = PmEventListener.open(ns);
                w.pm.subscribersOnly();
                w.pm.subscribe(onPm);
            } catch (IOException | RuntimeException e) {
                onProblem.accept("MPTCP path-manager events unavailable: " + e.getMessage());
            }
            return w;
        } catch (IOException | RuntimeException e) {
            if (w != null) {
                w.close();
            } else if (ns != null) {
                ns.close();
            }
            throw e;
        }
    }

    /** Every interface with its flags and counters (one RTM_GETLINK dump). */
    synchronized List<LinkSample> dump() throws IOException {
        NetlinkMessage req = NetlinkMessage.request(Rtnl.RTM_GETLINK, 0, new IfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0).encode());
        List<LinkSample> out = new ArrayList<>();
        for (NetlinkMessage m : route.dumpConsistent("rtnetlink RTM_GETLINK (dashboard)", req, 5)) {
            if (m.type() == Rtnl.RTM_NEWLINK) {
                Link l = RtnlCodec.decodeLink(m);
                LinkStats s = LinkStats.decode(m);
                out.add(s == null ? new LinkSample(l.index(), l.name(), l.flags(), 0, 0, 0, 0, 0, 0, 0, 0)
                        : new LinkSample(l.index(), l.name(), l.flags(), s.rxBytes(), s.txBytes(), s.rxPackets(),
                                s.txPackets(), s.rxErrors(), s.txErrors(), s.rxDropped(), s.txDropped()));
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        for (AutoCloseable c : new AutoCloseable[] {pm, links, route}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing netlink sockets; nothing to do
                }
            }
        }
        if (ns != null) {
            ns.close();
        }
    }
}
