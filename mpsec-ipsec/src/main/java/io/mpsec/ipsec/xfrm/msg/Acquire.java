package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.xfrm.XfrmEvent;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmUserAcquire;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Decodes XFRM_MSG_ACQUIRE ({@code struct xfrm_user_acquire}, group XFRMNLGRP_ACQUIRE). */
public final class Acquire {
    private Acquire() {
    }

    public static XfrmEvent.Acquire decode(NetlinkMessage m) throws NetlinkFormatException {
        if (m.type() != Xfrm.XFRM_MSG_ACQUIRE) {
            throw new NetlinkFormatException("not an XFRM_MSG_ACQUIRE: type " + m.type());
        }
        byte[] p = m.payload();
        if (p.length < XfrmUserAcquire.SIZEOF) {
            throw new NetlinkFormatException("XFRM_MSG_ACQUIRE of " + p.length + " bytes, need " + XfrmUserAcquire.SIZEOF);
        }
        XfrmUserAcquire a = XfrmUserAcquire.read(ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()), 0);
        int family = a.policy().sel().family() != 0 ? a.policy().sel().family() : a.sel().family();
        return new XfrmEvent.Acquire(a.saddr().toInet(family), a.id().daddr().toInet(family),
                WireModel.saSelector(a.sel(), family), Direction.fromKernel(a.policy().dir()), a.seq());
    }
}
