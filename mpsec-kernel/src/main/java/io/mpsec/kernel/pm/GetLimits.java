package io.mpsec.kernel.pm;

import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.pm.Limits;

/** MPTCP_PM_CMD_GET_LIMITS ({@code ip mptcp limits show}); the reply carries both limits as u32. */
public record GetLimits() implements PmCommand {
    @Override
    public int cmd() {
        return MptcpPmUapi.CMD_GET_LIMITS;
    }

    @Override
    public String op() {
        return "mptcp_pm GET_LIMITS";
    }

    /** iproute2 sends no NLM_F_ACK: the reply completes the request. */
    @Override
    public int netlinkFlags() {
        return 0;
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
    }

    public static GetLimits decode(NetlinkMessage m) throws NetlinkFormatException {
        PmRequest.attributes(m, MptcpPmUapi.CMD_GET_LIMITS);
        return new GetLimits();
    }

    /** Both limits (absent: 0); a u32 beyond {@code Integer.MAX_VALUE} is not a limit the kernel sends. */
    static Limits read(AttributeReader a) throws NetlinkFormatException {
        return new Limits(limit(a, MptcpPmUapi.ATTR_SUBFLOWS, "subflows"),
                limit(a, MptcpPmUapi.ATTR_RCV_ADD_ADDRS, "add_addr_accepted"));
    }

    private static int limit(AttributeReader a, int type, String name) throws NetlinkFormatException {
        long v = a.u32Or(type, 0);
        if (v > Integer.MAX_VALUE) {
            throw new NetlinkFormatException("mptcp_pm limits: " + name + " " + v + " does not fit a signed 32-bit limit;"
                    + " the kernel keeps limits far lower, so this reply is corrupt");
        }
        return (int) v;
    }

    public static Limits decodeReply(NetlinkMessage reply) throws NetlinkFormatException {
        return read(GenlMessage.decode(reply).reader("mptcp_pm GET_LIMITS reply"));
    }

    public static byte[] encodeReply(Limits l) {
        AttributeWriter w = GenlMessage.writer(MptcpPmUapi.CMD_GET_LIMITS, MptcpPmUapi.VERSION);
        w.u32(MptcpPmUapi.ATTR_RCV_ADD_ADDRS, l.addAddrAccepted()).u32(MptcpPmUapi.ATTR_SUBFLOWS, l.subflows());
        return w.toByteArray();
    }
}
