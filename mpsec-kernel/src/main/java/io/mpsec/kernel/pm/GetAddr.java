package io.mpsec.kernel.pm;

import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;

/**
 * MPTCP_PM_CMD_GET_ADDR: one endpoint by id ({@code ip mptcp endpoint show id N}), or, with a
 * {@code null} address and NLM_F_DUMP, all of them ({@code ip mptcp endpoint show}). Replies carry
 * one MPTCP_PM_ATTR_ADDR each ({@link #decodeReply}).
 */
public record GetAddr(PmAddress address) implements PmCommand {
    public static GetAddr byId(int id) {
        return new GetAddr(PmAddress.ofId(id));
    }

    public static GetAddr dump() {
        return new GetAddr(null);
    }

    @Override
    public int cmd() {
        return MptcpPmUapi.CMD_GET_ADDR;
    }

    @Override
    public String op() {
        return "mptcp_pm GET_ADDR";
    }

    /** iproute2 sends a plain request for one id (the reply completes it) and NLM_F_DUMP for all. */
    @Override
    public int netlinkFlags() {
        return address == null ? io.mpsec.kernel.netlink.Netlink.NLM_F_DUMP : 0;
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
        if (address != null) {
            address.write(w, MptcpPmUapi.ATTR_ADDR);
        }
    }

    public static GetAddr decode(NetlinkMessage m) throws NetlinkFormatException {
        return new GetAddr(PmRequest.address(PmRequest.attributes(m, MptcpPmUapi.CMD_GET_ADDR), MptcpPmUapi.ATTR_ADDR));
    }

    /** The endpoint in one GET_ADDR reply. */
    public static PmAddress decodeReply(NetlinkMessage reply) throws NetlinkFormatException {
        PmAddress a = PmRequest.address(GenlMessage.decode(reply).reader("mptcp_pm GET_ADDR reply"), MptcpPmUapi.ATTR_ADDR);
        if (a == null) {
            throw new NetlinkFormatException("mptcp_pm GET_ADDR reply without MPTCP_PM_ATTR_ADDR");
        }
        return a;
    }

    /** Encodes a reply payload (for fake kernels). */
    public static byte[] encodeReply(PmAddress a) {
        AttributeWriter w = GenlMessage.writer(MptcpPmUapi.CMD_ADD_ADDR, MptcpPmUapi.VERSION);
        a.write(w, MptcpPmUapi.ATTR_ADDR);
        return w.toByteArray();
    }
}
