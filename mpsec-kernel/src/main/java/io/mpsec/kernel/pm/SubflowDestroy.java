package io.mpsec.kernel.pm;

import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;

/**
 * MPTCP_PM_CMD_SUBFLOW_DESTROY (userspace PM): close the subflow of connection {@code token} between
 * {@code local} and {@code remote} (both with address and port, host byte order).
 */
public record SubflowDestroy(long token, PmAddress local, PmAddress remote) implements PmCommand {
    @Override
    public int cmd() {
        return MptcpPmUapi.CMD_SUBFLOW_DESTROY;
    }

    @Override
    public String op() {
        return "mptcp_pm SUBFLOW_DESTROY";
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
        w.u32(MptcpPmUapi.ATTR_TOKEN, (int) token);
        local.write(w, MptcpPmUapi.ATTR_ADDR);
        remote.write(w, MptcpPmUapi.ATTR_ADDR_REMOTE);
    }

    public static SubflowDestroy decode(NetlinkMessage m) throws NetlinkFormatException {
        AttributeReader a = PmRequest.attributes(m, MptcpPmUapi.CMD_SUBFLOW_DESTROY);
        return new SubflowDestroy(a.u32(MptcpPmUapi.ATTR_TOKEN), PmRequest.address(a, MptcpPmUapi.ATTR_ADDR),
                PmRequest.address(a, MptcpPmUapi.ATTR_ADDR_REMOTE));
    }
}
