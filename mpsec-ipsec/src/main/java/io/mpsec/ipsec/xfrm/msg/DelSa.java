package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmAddress;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaId;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkMessage;

/**
 * XFRM_MSG_DELSA: {@code struct xfrm_usersa_id} plus XFRMA_SRCADDR, as {@code ip xfrm state delete}
 * sends it.
 */
public final class DelSa {
    private DelSa() {
    }

    public static NetlinkMessage encode(SaId id) {
        return NetlinkMessage.request(Xfrm.XFRM_MSG_DELSA, 0, body(id));
    }

    static byte[] body(SaId id) {
        XfrmUsersaId u = new XfrmUsersaId(XfrmAddress.of(id.destination()), id.spi(), WireModel.family(id.destination()),
                Xfrm.IPPROTO_ESP);
        return new AttributeWriter().raw(u.toBytes()).bytes(Xfrm.XFRMA_SRCADDR, addr(id)).toByteArray();
    }

    private static byte[] addr(SaId id) {
        byte[] b = new byte[XfrmAddress.SIZEOF];
        byte[] a = id.source().getAddress();
        System.arraycopy(a, 0, b, 0, a.length);
        return b;
    }
}
