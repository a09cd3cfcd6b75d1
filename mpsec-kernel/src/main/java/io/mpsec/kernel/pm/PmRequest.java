package io.mpsec.kernel.pm;

import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;

/** Decoding helpers shared by the command classes (their {@code decode} methods are used by fake kernels and tests). */
final class PmRequest {
    private PmRequest() {
    }

    static AttributeReader attributes(NetlinkMessage m, int expectedCmd) throws NetlinkFormatException {
        GenlMessage g = GenlMessage.decode(m);
        if (g.cmd() != expectedCmd) {
            throw new NetlinkFormatException("mptcp_pm command " + g.cmd() + ", expected " + expectedCmd);
        }
        return g.reader("mptcp_pm cmd " + expectedCmd);
    }

    static PmAddress address(AttributeReader a, int type) throws NetlinkFormatException {
        return a.has(type) ? PmAddress.read(a.nested(type)) : null;
    }
}
