package io.mpsec.kernel.diag;

import io.mpsec.MptcpConnectionInfo;
import io.mpsec.TcpState;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.socket.MptcpInfoDecoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Joins the two dumps into connections: each MPTCP socket (IPPROTO_MPTCP dump, struct mptcp_info)
 * with the TCP sockets whose MPTCP ULP info carries its token (MPTCP_SUBFLOW_ATTR_TOKEN_LOC equals
 * mptcpi_token on both the initial and the joined subflows: net/mptcp/subflow.c). A connection
 * none of whose subflows was found by token (no ULP info without CAP_NET_ADMIN, or no token yet)
 * gets the TCP socket with exactly its addresses and ports, which is its initial subflow: an MPTCP
 * socket takes its addresses from that subflow. Plain TCP sockets (no MPTCP ULP info) are not
 * subflows and are left out. Pure: no I/O.
 */
final class ConnectionGrouping {
    private ConnectionGrouping() {
    }

    /**
     * @param msks    the MPTCP dump's entries (INET_DIAG_INFO = struct mptcp_info)
     * @param sockets the TCP dump's entries
     */
    static List<ConnectionSnapshot> group(List<InetDiagMsg> msks, List<InetDiagMsg> sockets) throws NetlinkFormatException {
        Map<Long, List<InetDiagMsg>> byToken = new HashMap<>();
        for (InetDiagMsg s : sockets) {
            if (s.mptcp() != null && s.mptcp().tokenLocal() > 0) {
                byToken.computeIfAbsent(s.mptcp().tokenLocal(), k -> new ArrayList<>()).add(s);
            }
        }
        List<ConnectionSnapshot> out = new ArrayList<>(msks.size());
        for (InetDiagMsg msk : msks) {
            if (msk.info() == null) {
                throw new NetlinkFormatException("MPTCP socket " + msk.local() + " -> " + msk.remote()
                        + ": the kernel sent no INET_DIAG_INFO (struct mptcp_info)");
            }
            MptcpConnectionInfo info = MptcpInfoDecoder.decode(msk.info());
            List<InetDiagMsg> found = info.token() == 0 ? List.of() : byToken.getOrDefault(info.token(), List.of());
            if (found.isEmpty()) {
                for (InetDiagMsg s : sockets) {
                    if (s.sameTuple(msk)) {
                        found = List.of(s);
                        break;
                    }
                }
            }
            List<SubflowSnapshot> subflows = new ArrayList<>(found.size());
            for (InetDiagMsg s : found) {
                subflows.add(TcpInfoFields.subflow(s));
            }
            out.add(new ConnectionSnapshot(info.token(), msk.local(), msk.remote(), TcpState.of(msk.state()),
                    (info.flags() & InetDiag.MPTCP_INFO_FLAG_FALLBACK) != 0, info.bytesSent().orElse(-1),
                    info.bytesReceived().orElse(-1),
                    subflows));
        }
        return out;
    }
}
