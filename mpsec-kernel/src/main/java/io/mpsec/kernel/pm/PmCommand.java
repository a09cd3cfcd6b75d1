package io.mpsec.kernel.pm;

import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkMessage;

/** One mptcp_pm request. Each command is its own class; this is what they share. */
public interface PmCommand {
    /** The MPTCP_PM_CMD_* number. */
    int cmd();

    /** For messages: {@code "mptcp_pm ADD_ADDR"}. */
    String op();

    /** NLM_F_* flags besides NLM_F_REQUEST, as iproute2 sends them. */
    default int netlinkFlags() {
        return io.mpsec.kernel.netlink.Netlink.NLM_F_ACK;
    }

    /** Writes the attributes after the genl header. */
    void writeAttributes(AttributeWriter w);

    /** The request for the family id resolved at run time. */
    default NetlinkMessage toMessage(int familyId) {
        AttributeWriter w = GenlMessage.writer(cmd(), MptcpPmUapi.VERSION);
        writeAttributes(w);
        return GenlMessage.request(familyId, netlinkFlags(), w);
    }
}
