package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.xfrm.XfrmEvent;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmUserExpire;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaInfo;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes XFRM_MSG_EXPIRE ({@code struct xfrm_user_expire}, group XFRMNLGRP_EXPIRE). The event
 * names the SA by addresses and SPI whatever its protocol; an address family other than IPv4/IPv6 is
 * a {@link NetlinkFormatException} saying so.
 */
public final class Expire {
    private Expire() {
    }

    public static XfrmEvent.SaExpired decode(NetlinkMessage m) throws NetlinkFormatException {
        if (m.type() != Xfrm.XFRM_MSG_EXPIRE) {
            throw new NetlinkFormatException("not an XFRM_MSG_EXPIRE: type " + m.type());
        }
        byte[] p = m.payload();
        if (p.length < XfrmUserExpire.SIZEOF - 7) { // trailing padding may be absent
            throw new NetlinkFormatException("XFRM_MSG_EXPIRE of " + p.length + " bytes, need " + XfrmUserExpire.SIZEOF);
        }
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.nativeOrder());
        XfrmUsersaInfo s = XfrmUsersaInfo.read(b, 0);
        boolean hard = b.get(XfrmUsersaInfo.SIZEOF) != 0;
        String why = Foreign.family(s.family());
        if (why != null) {
            java.util.Arrays.fill(p, (byte) 0);
            throw new NetlinkFormatException("XFRM_MSG_EXPIRE MPSec cannot represent: " + why);
        }
        java.util.Arrays.fill(p, (byte) 0);
        return new XfrmEvent.SaExpired(new SaId(s.saddr().toInet(s.family()), s.id().daddr().toInet(s.family()), s.id().spi()),
                s.reqid(), hard, s.curlft().bytes(), s.curlft().packets());
    }
}
