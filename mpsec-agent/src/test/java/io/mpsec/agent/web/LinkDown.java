package io.mpsec.agent.web;

import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.rtnl.IfInfoMsg;
import io.mpsec.kernel.rtnl.Link;
import io.mpsec.kernel.rtnl.Rtnetlink;
import io.mpsec.kernel.rtnl.Rtnl;
import java.io.IOException;

/**
 * Sets one interface down with one RTM_NEWLINK (ifi_change IFF_UP, ifi_flags 0: what
 * {@code ip link set DEV down} sends), from a netlink socket opened beforehand, so that the test knows
 * to the millisecond when the link went down (a spawned {@code ip} takes seconds on a loaded machine).
 */
final class LinkDown implements AutoCloseable {
    private final NetNamespace ns;
    private final NetlinkConnection conn;
    private final int index;

    LinkDown(String namespace, String iface) throws IOException {
        ns = NetNamespace.open(namespace);
        conn = NetlinkConnection.open(Netlink.NETLINK_ROUTE, ns);
        index = new Rtnetlink(conn).links().stream().filter(l -> l.name().equals(iface)).mapToInt(Link::index)
                .findFirst().orElseThrow(() -> new IOException("no interface " + iface + " in " + namespace));
    }

    /** Sets the link down; returns the wall clock (epoch ms) just before the request was sent. */
    long down() throws IOException {
        byte[] msg = new IfInfoMsg(Rtnl.AF_UNSPEC, 0, index, 0, Rtnl.IFF_UP).encode();
        long at = System.currentTimeMillis();
        conn.execute("RTM_NEWLINK ifindex " + index + " down", NetlinkMessage.request(Rtnl.RTM_NEWLINK, 0, msg));
        return at;
    }

    @Override
    public void close() throws IOException {
        conn.close();
        ns.close();
    }
}
