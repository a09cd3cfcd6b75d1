package io.mpsec.kernel.pm;

import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;

/** MPTCP_PM_CMD_REMOVE (userspace PM): withdraw announced local address id {@code localId} on connection {@code token} (RM_ADDR). */
public record Remove(long token, int localId) implements PmCommand {
    @Override
    public int cmd() {
        return MptcpPmUapi.CMD_REMOVE;
    }

    @Override
    public String op() {
        return "mptcp_pm REMOVE";
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
        w.u32(MptcpPmUapi.ATTR_TOKEN, (int) token).u8(MptcpPmUapi.ATTR_LOC_ID, localId);
    }

    public static Remove decode(NetlinkMessage m) throws NetlinkFormatException {
        AttributeReader a = PmRequest.attributes(m, MptcpPmUapi.CMD_REMOVE);
        return new Remove(a.u32(MptcpPmUapi.ATTR_TOKEN), a.u8(MptcpPmUapi.ATTR_LOC_ID));
    }
}
