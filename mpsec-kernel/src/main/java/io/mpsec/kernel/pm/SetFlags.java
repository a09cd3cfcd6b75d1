package io.mpsec.kernel.pm;

import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;

/**
 * MPTCP_PM_CMD_SET_FLAGS. In-kernel PM: change an endpoint's backup/fullmesh flags by id
 * ({@code ip mptcp endpoint change id N backup}); {@code token} and {@code remote} are absent.
 * Userspace PM: set or clear backup (MP_PRIO) on the subflow between {@code address} and
 * {@code remote} of connection {@code token}.
 *
 * @param token connection token, or {@code -1} for the in-kernel form
 */
public record SetFlags(long token, PmAddress address, PmAddress remote) implements PmCommand {
    /** In-kernel PM: set {@code flags} (MPTCP_PM_ADDR_FLAG_* bits) on endpoint {@code id}; flags 0 is sent as absent, like iproute2. */
    public static SetFlags endpoint(int id, int flags) {
        return new SetFlags(-1, PmAddress.ofId(id).withFlags(flags == 0 ? PmAddress.ABSENT : flags), null);
    }

    /** Userspace PM: MP_PRIO backup on/off for one subflow. */
    public static SetFlags subflowBackup(long token, PmAddress local, PmAddress remote, boolean backup) {
        return new SetFlags(token, local.withFlags(backup ? MptcpPmUapi.FLAG_BACKUP : 0), remote);
    }

    @Override
    public int cmd() {
        return MptcpPmUapi.CMD_SET_FLAGS;
    }

    @Override
    public String op() {
        return "mptcp_pm SET_FLAGS";
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
        if (token >= 0) {
            w.u32(MptcpPmUapi.ATTR_TOKEN, (int) token);
        }
        address.write(w, MptcpPmUapi.ATTR_ADDR);
        if (remote != null) {
            remote.write(w, MptcpPmUapi.ATTR_ADDR_REMOTE);
        }
    }

    public static SetFlags decode(NetlinkMessage m) throws NetlinkFormatException {
        AttributeReader a = PmRequest.attributes(m, MptcpPmUapi.CMD_SET_FLAGS);
        return new SetFlags(a.u32Or(MptcpPmUapi.ATTR_TOKEN, -1), PmRequest.address(a, MptcpPmUapi.ATTR_ADDR),
                PmRequest.address(a, MptcpPmUapi.ATTR_ADDR_REMOTE));
    }
}
