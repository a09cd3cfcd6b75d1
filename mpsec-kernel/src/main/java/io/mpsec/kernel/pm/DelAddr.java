package io.mpsec.kernel.pm;

import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;

/** MPTCP_PM_CMD_DEL_ADDR: delete an endpoint by id ({@code ip mptcp endpoint delete id N}). */
public record DelAddr(PmAddress address) implements PmCommand {
    public static DelAddr byId(int id) {
        return new DelAddr(PmAddress.ofId(id));
    }

    @Override
    public int cmd() {
        return MptcpPmUapi.CMD_DEL_ADDR;
    }

    @Override
    public String op() {
        return "mptcp_pm DEL_ADDR";
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
        address.write(w, MptcpPmUapi.ATTR_ADDR);
    }

    public static DelAddr decode(NetlinkMessage m) throws NetlinkFormatException {
        return new DelAddr(PmRequest.address(PmRequest.attributes(m, MptcpPmUapi.CMD_DEL_ADDR), MptcpPmUapi.ATTR_ADDR));
    }
}
