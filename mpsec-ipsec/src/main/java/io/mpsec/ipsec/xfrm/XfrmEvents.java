package io.mpsec.ipsec.xfrm;

import io.mpsec.ipsec.xfrm.msg.Acquire;
import io.mpsec.ipsec.xfrm.msg.Expire;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;

/**
 * A subscription to the xfrm multicast groups XFRMNLGRP_EXPIRE and XFRMNLGRP_ACQUIRE. Other
 * notifications are skipped. Use from one thread.
 */
public final class XfrmEvents implements AutoCloseable {
    private final NetlinkConnection conn;

    /** A subscription over an existing connection (tests pass one on a fake kernel). */
    public XfrmEvents(NetlinkConnection conn) throws IOException {
        this.conn = conn;
        conn.joinGroup(Xfrm.XFRMNLGRP_EXPIRE);
        conn.joinGroup(Xfrm.XFRMNLGRP_ACQUIRE);
    }

    static XfrmEvents open(NetNamespace ns) throws IOException {
        NetlinkConnection c = NetlinkConnection.open(Xfrm.NETLINK_XFRM, ns);
        try {
            return new XfrmEvents(c);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The next EXPIRE or ACQUIRE event, or {@code null} if none arrives within {@code timeoutMillis}. */
    public XfrmEvent next(int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return null;
            }
            NetlinkMessage m = conn.nextNotification((int) left);
            if (m == null) {
                return null;
            }
            if (m.type() == Xfrm.XFRM_MSG_EXPIRE) {
                return Expire.decode(m);
            }
            if (m.type() == Xfrm.XFRM_MSG_ACQUIRE) {
                return Acquire.decode(m);
            }
        }
    }

    @Override
    public void close() throws IOException {
        conn.close();
    }
}
