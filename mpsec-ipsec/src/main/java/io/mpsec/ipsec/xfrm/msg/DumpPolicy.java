package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.netlink.NetlinkMessage;

/** XFRM_MSG_GETPOLICY with NLM_F_DUMP and an empty body: every policy, one NEWPOLICY-layout message each. */
public final class DumpPolicy {
    private DumpPolicy() {
    }

    public static NetlinkMessage encode() {
        return NetlinkMessage.request(Xfrm.XFRM_MSG_GETPOLICY, 0, new byte[0]);
    }
}
