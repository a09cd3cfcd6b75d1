package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.netlink.NetlinkMessage;

/** XFRM_MSG_FLUSHPOLICY with an empty body (main policy type), as {@code ip xfrm policy flush} sends it. */
public final class FlushPolicy {
    private FlushPolicy() {
    }

    public static NetlinkMessage encode() {
        return NetlinkMessage.request(Xfrm.XFRM_MSG_FLUSHPOLICY, 0, new byte[0]);
    }
}
