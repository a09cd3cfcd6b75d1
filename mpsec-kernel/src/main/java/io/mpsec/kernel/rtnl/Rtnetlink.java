package io.mpsec.kernel.rtnl;

import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Lists links and addresses of one namespace over NETLINK_ROUTE ({@code ip link}, {@code ip addr}). */
public final class Rtnetlink implements AutoCloseable {
    private final NetlinkConnection conn;

    public Rtnetlink(NetlinkConnection conn) {
        this.conn = conn;
    }

    public static Rtnetlink open(NetNamespace ns) throws IOException {
        return new Rtnetlink(NetlinkConnection.open(Netlink.NETLINK_ROUTE, ns));
    }

    /** RTM_GETLINK dump. */
    public List<Link> links() throws IOException {
        NetlinkMessage req = NetlinkMessage.request(Rtnl.RTM_GETLINK, 0, new IfInfoMsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0).encode());
        List<Link> out = new ArrayList<>();
        for (NetlinkMessage m : conn.dumpConsistent("rtnetlink RTM_GETLINK", req, 5)) {
            if (m.type() == Rtnl.RTM_NEWLINK) {
                out.add(RtnlCodec.decodeLink(m));
            }
        }
        return out;
    }

    /** RTM_GETADDR dump (IPv4 and IPv6). */
    public List<Address> addresses() throws IOException {
        NetlinkMessage req = NetlinkMessage.request(Rtnl.RTM_GETADDR, 0, new IfAddrMsg(Rtnl.AF_UNSPEC, 0, 0, 0, 0).encode());
        List<Address> out = new ArrayList<>();
        for (NetlinkMessage m : conn.dumpConsistent("rtnetlink RTM_GETADDR", req, 5)) {
            if (m.type() == Rtnl.RTM_NEWADDR) {
                out.add(RtnlCodec.decodeAddress(m));
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        conn.close();
    }
}
