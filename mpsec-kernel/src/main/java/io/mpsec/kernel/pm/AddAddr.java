package io.mpsec.kernel.pm;

import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;

/** MPTCP_PM_CMD_ADD_ADDR: add an in-kernel endpoint ({@code ip mptcp endpoint add}). */
public record AddAddr(PmAddress address) implements PmCommand {
    public static AddAddr of(io.mpsec.pm.Endpoint e) {
        return new AddAddr(Endpoints.toWire(e));
    }

    @Override
    public int cmd() {
        return MptcpPmUapi.CMD_ADD_ADDR;
    }

    @Override
    public String op() {
        return "mptcp_pm ADD_ADDR";
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
        address.write(w, MptcpPmUapi.ATTR_ADDR);
    }

    public static AddAddr decode(NetlinkMessage m) throws NetlinkFormatException {
        return new AddAddr(PmRequest.address(PmRequest.attributes(m, MptcpPmUapi.CMD_ADD_ADDR), MptcpPmUapi.ATTR_ADDR));
    }
}
