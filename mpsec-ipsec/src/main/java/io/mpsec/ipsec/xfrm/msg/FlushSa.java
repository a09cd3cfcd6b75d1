package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaFlush;
import io.mpsec.kernel.netlink.NetlinkMessage;

/** XFRM_MSG_FLUSHSA: deletes every SA of a protocol ({@code ip xfrm state flush proto esp}). */
public final class FlushSa {
    private FlushSa() {
    }

    /** Flushes the ESP SAs; the body is the single byte iproute2 sends (nlmsg_len 17). */
    public static NetlinkMessage encode() {
        return NetlinkMessage.request(Xfrm.XFRM_MSG_FLUSHSA, 0, new XfrmUsersaFlush(Xfrm.IPPROTO_ESP).toBytes());
    }
}
