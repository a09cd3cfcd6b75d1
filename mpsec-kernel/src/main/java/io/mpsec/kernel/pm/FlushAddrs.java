package io.mpsec.kernel.pm;

import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;

/** MPTCP_PM_CMD_FLUSH_ADDRS: remove every endpoint ({@code ip mptcp endpoint flush}). */
public record FlushAddrs() implements PmCommand {
    @Override
    public int cmd() {
        return MptcpPmUapi.CMD_FLUSH_ADDRS;
    }

    @Override
    public String op() {
        return "mptcp_pm FLUSH_ADDRS";
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
    }

    public static FlushAddrs decode(NetlinkMessage m) throws NetlinkFormatException {
        PmRequest.attributes(m, MptcpPmUapi.CMD_FLUSH_ADDRS);
        return new FlushAddrs();
    }
}
