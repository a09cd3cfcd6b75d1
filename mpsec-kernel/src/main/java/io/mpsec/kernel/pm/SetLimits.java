package io.mpsec.kernel.pm;

import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.pm.Limits;

/** MPTCP_PM_CMD_SET_LIMITS ({@code ip mptcp limits set subflows N add_addr_accepted M}). */
public record SetLimits(Limits limits) implements PmCommand {
    @Override
    public int cmd() {
        return MptcpPmUapi.CMD_SET_LIMITS;
    }

    @Override
    public String op() {
        return "mptcp_pm SET_LIMITS";
    }

    /** Order as iproute2: RCV_ADD_ADDRS, then SUBFLOWS. */
    @Override
    public void writeAttributes(AttributeWriter w) {
        w.u32(MptcpPmUapi.ATTR_RCV_ADD_ADDRS, limits.addAddrAccepted());
        w.u32(MptcpPmUapi.ATTR_SUBFLOWS, limits.subflows());
    }

    public static SetLimits decode(NetlinkMessage m) throws NetlinkFormatException {
        return new SetLimits(GetLimits.read(PmRequest.attributes(m, MptcpPmUapi.CMD_SET_LIMITS)));
    }
}
