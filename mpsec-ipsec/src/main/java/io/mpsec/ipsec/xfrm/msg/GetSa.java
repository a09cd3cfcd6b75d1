package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.netlink.NetlinkMessage;

/**
 * XFRM_MSG_GETSA for one SA (same body as DELSA, as {@code ip xfrm state get} sends it); the kernel
 * answers with one NEWSA-layout message ({@link NewSa#decode}) carrying the SA's counters.
 */
public final class GetSa {
    private GetSa() {
    }

    public static NetlinkMessage encode(SaId id) {
        return NetlinkMessage.request(Xfrm.XFRM_MSG_GETSA, 0, DelSa.body(id));
    }
}
