package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.IpsecConfigException;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.xfrm.XfrmEvent;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmUserAcquire;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes XFRM_MSG_ACQUIRE ({@code struct xfrm_user_acquire}, group XFRMNLGRP_ACQUIRE). An ACQUIRE
 * the event model cannot carry (an address family other than IPv4/IPv6, a per-socket policy's
 * direction) is a {@link NetlinkFormatException} saying so; a selector outside the model gives a
 * {@code null} selector.
 */
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
        String why = Foreign.family(family);
        if (why == null) {
            why = Foreign.direction(a.policy().dir());
        }
        if (why != null) {
            throw new NetlinkFormatException("XFRM_MSG_ACQUIRE MPSec cannot represent: " + why);
        }
        Selector sel;
        try {
            sel = WireModel.saSelector(a.sel(), family);
        } catch (IpsecConfigException e) {
            sel = null; // a selector outside the model (ports without a protocol...): "unknown", not a failure
        }
        return new XfrmEvent.Acquire(a.saddr().toInet(family), a.id().daddr().toInet(family), sel,
                Direction.fromKernel(a.policy().dir()), a.seq());
    }
}
