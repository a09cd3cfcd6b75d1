package io.mpsec.kernel.diag;

import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.NetlinkFormatException;

/**
 * The MPTCP part of a subflow's ULP info ({@code INET_DIAG_ULP_INFO / INET_ULP_INFO_MPTCP}), as
 * net/mptcp/diag.c fills it (include/uapi/linux/mptcp.h, {@code MPTCP_SUBFLOW_ATTR_*}, Linux 5.7+).
 * Each attribute is read with its documented length; an absent one is -1.
 *
 * @param tokenLocal  MPTCP_SUBFLOW_ATTR_TOKEN_LOC: the connection's token on this host, the
 *                    {@code mptcpi_token} of its MPTCP socket
 * @param tokenRemote MPTCP_SUBFLOW_ATTR_TOKEN_REM: the peer's token (0 on the initial subflow)
 * @param flags       MPTCP_SUBFLOW_ATTR_FLAGS: {@code MPTCP_SUBFLOW_FLAG_*}
 * @param idLocal     MPTCP_SUBFLOW_ATTR_ID_LOC: this host's address id
 * @param idRemote    MPTCP_SUBFLOW_ATTR_ID_REM: the peer's address id
 */
record MptcpSubflowAttrs(long tokenLocal, long tokenRemote, long flags, int idLocal, int idRemote) {
    static MptcpSubflowAttrs decode(AttributeReader a) throws NetlinkFormatException {
        return new MptcpSubflowAttrs(a.u32Or(InetDiag.MPTCP_SUBFLOW_ATTR_TOKEN_LOC, -1),
                a.u32Or(InetDiag.MPTCP_SUBFLOW_ATTR_TOKEN_REM, -1), a.u32Or(InetDiag.MPTCP_SUBFLOW_ATTR_FLAGS, -1),
                a.u8Or(InetDiag.MPTCP_SUBFLOW_ATTR_ID_LOC, -1), a.u8Or(InetDiag.MPTCP_SUBFLOW_ATTR_ID_REM, -1));
    }

    /** Whether either end marked the subflow as a backup (MPTCP_SUBFLOW_FLAG_BKUP_LOC or BKUP_REM). */
    boolean backup() {
        return flags > 0 && (flags & (InetDiag.MPTCP_SUBFLOW_FLAG_BKUP_LOC | InetDiag.MPTCP_SUBFLOW_FLAG_BKUP_REM)) != 0;
    }
}
