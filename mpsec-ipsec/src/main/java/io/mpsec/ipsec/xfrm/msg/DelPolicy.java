package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmUserpolicyId;
import io.mpsec.kernel.netlink.NetlinkMessage;

/** XFRM_MSG_DELPOLICY by selector and direction ({@code struct xfrm_userpolicy_id}, index 0). */
public final class DelPolicy {
    private DelPolicy() {
    }

    public static NetlinkMessage encode(Selector selector, Direction dir) {
        return NetlinkMessage.request(Xfrm.XFRM_MSG_DELPOLICY, 0,
                new XfrmUserpolicyId(WireModel.selector(selector), 0, dir.kernelValue()).toBytes());
    }
}
