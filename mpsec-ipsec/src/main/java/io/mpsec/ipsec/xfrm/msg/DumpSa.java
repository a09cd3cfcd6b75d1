package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.netlink.NetlinkMessage;

/**
 * XFRM_MSG_GETSA with NLM_F_DUMP and an empty body: every SA of the namespace, one NEWSA-layout
 * message each ({@link NewSa#decode}). The kernel (xfrm_dump_sa) parses optional filter attributes
 * only, so an empty body asks for all.
 */
public final class DumpSa {
    private DumpSa() {
    }

    public static NetlinkMessage encode() {
        return NetlinkMessage.request(Xfrm.XFRM_MSG_GETSA, 0, new byte[0]);
    }
}
