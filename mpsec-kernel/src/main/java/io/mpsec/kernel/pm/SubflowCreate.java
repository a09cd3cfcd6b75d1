package io.mpsec.kernel.pm;

import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;

/**
 * MPTCP_PM_CMD_SUBFLOW_CREATE (userspace PM): open a subflow of connection {@code token} from
 * {@code local} (address with its local id; id 0 is the initial subflow's address) to
 * {@code remote} (address and port, host byte order).
 */
public record SubflowCreate(long token, PmAddress local, PmAddress remote) implements PmCommand {
    @Override
    public int cmd() {
        return MptcpPmUapi.CMD_SUBFLOW_CREATE;
    }

    @Override
    public String op() {
        return "mptcp_pm SUBFLOW_CREATE";
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
        w.u32(MptcpPmUapi.ATTR_TOKEN, (int) token);
        local.write(w, MptcpPmUapi.ATTR_ADDR);
        remote.write(w, MptcpPmUapi.ATTR_ADDR_REMOTE);
    }

    public static SubflowCreate decode(NetlinkMessage m) throws NetlinkFormatException {
        AttributeReader a = PmRequest.attributes(m, MptcpPmUapi.CMD_SUBFLOW_CREATE);
        return new SubflowCreate(a.u32(MptcpPmUapi.ATTR_TOKEN), PmRequest.address(a, MptcpPmUapi.ATTR_ADDR),
                PmRequest.address(a, MptcpPmUapi.ATTR_ADDR_REMOTE));
    }
}
