package io.mpsec.kernel.pm;

import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.pm.Endpoint;

/** Translates the public {@link Endpoint} to and from the wire {@link PmAddress}. */
public final class Endpoints {
    private Endpoints() {
    }

    /** The ADD_ADDR form: id only when chosen, flags only when any, port/ifindex only when set (as iproute2). */
    public static PmAddress toWire(Endpoint e) {
        int flags = EndpointFlags.bits(e.flags());
        return new PmAddress(e.id() == 0 ? PmAddress.ABSENT : e.id(), e.address(), e.port() == 0 ? PmAddress.ABSENT : e.port(),
                flags == 0 ? PmAddress.ABSENT : flags, e.ifIndex() == 0 ? PmAddress.ABSENT : e.ifIndex());
    }

    /** An endpoint as the kernel reports it (GET_ADDR reply). */
    public static Endpoint fromWire(PmAddress a) throws NetlinkFormatException {
        if (a.address() == null) {
            throw new NetlinkFormatException("mptcp_pm endpoint without an address (id " + a.id() + ")");
        }
        return new Endpoint(Math.max(a.id(), 0), a.address(), Math.max(a.port(), 0),
                EndpointFlags.flags(Math.max(a.flags(), 0)), Math.max(a.ifIndex(), 0));
    }
}
