package io.mpsec.metrics;

import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.rtnl.IfInfoMsg;
import io.mpsec.kernel.rtnl.Rtnl;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads {@link LinkStats} of every interface of one namespace with an RTM_GETLINK dump. */
public final class LinkStatsReader implements Sources.LinkSource, AutoCloseable {
    private final NetlinkConnection conn;

    /** A reader over an open NETLINK_ROUTE connection (closed with this reader). */
    public LinkStatsReader(NetlinkConnection conn) {
        this.conn = conn;
    }

    /** Opens a NETLINK_ROUTE socket in {@code ns} ({@code null}: this process's namespace). */
    public static LinkStatsReader open(NetNamespace ns) throws IOException {
        return new LinkStatsReader(NetlinkConnection.open(Netlink.NETLINK_ROUTE, ns));
    }

    @Override
    public synchronized List<LinkStats> links() throws IOException {
        NetlinkMessage req = NetlinkMessage.request(Rtnl.RTM_GETLINK, 0, new IfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0).encode());
        List<LinkStats> out = new ArrayList<>();
        for (NetlinkMessage m : conn.dumpConsistent("rtnetlink RTM_GETLINK (stats64)", req, 5)) {
            if (m.type() == Rtnl.RTM_NEWLINK) {
                LinkStats s = LinkStats.decode(m);
                if (s != null) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        conn.close();
    }
}
