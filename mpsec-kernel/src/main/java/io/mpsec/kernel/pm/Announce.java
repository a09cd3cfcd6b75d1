package io.mpsec.kernel.pm;

import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;

/**
 * MPTCP_PM_CMD_ANNOUNCE (userspace PM): announce local address {@code address} (with its id, and a
 * port if any) to the peer of connection {@code token} (ADD_ADDR).
 */
public record Announce(long token, PmAddress address) implements PmCommand {
    @Override
    public int cmd() {
        return MptcpPmUapi.CMD_ANNOUNCE;
    }

    @Override
    public String op() {
        return "mptcp_pm ANNOUNCE";
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
        w.u32(MptcpPmUapi.ATTR_TOKEN, (int) token);
        address.write(w, MptcpPmUapi.ATTR_ADDR);
    }

    public static Announce decode(NetlinkMessage m) throws NetlinkFormatException {
        AttributeReader a = PmRequest.attributes(m, MptcpPmUapi.CMD_ANNOUNCE);
        return new Announce(a.u32(MptcpPmUapi.ATTR_TOKEN), PmRequest.address(a, MptcpPmUapi.ATTR_ADDR));
    }
}
