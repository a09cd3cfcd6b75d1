package io.mpsec.kernel.diag;

import io.mpsec.TcpState;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One TCP subflow of an MPTCP connection at one moment, as sock_diag reported it: the socket's
 * {@code struct tcp_info} (INET_DIAG_INFO), its congestion control (INET_DIAG_CONG) and its MPTCP
 * ULP info (INET_DIAG_ULP_INFO). A value the kernel did not report is -1 ({@code null} for the
 * congestion control).
 *
 * @param local             local address and port (an IPv4-mapped address as IPv4)
 * @param remote            remote address and port
 * @param state             the subflow's TCP state
 * @param localId           this host's MPTCP address id of the subflow (0: the initial address), or -1
 * @param remoteId          the peer's address id, or -1
 * @param rttMicros         smoothed round-trip time, microseconds (tcpi_rtt)
 * @param cwnd              congestion window, segments (tcpi_snd_cwnd)
 * @param bytesSent         bytes sent, retransmissions included (tcpi_bytes_sent, Linux 4.19+)
 * @param bytesReceived     bytes received (tcpi_bytes_received)
 * @param bytesAcked        bytes acknowledged by the peer (tcpi_bytes_acked)
 * @param retransmits       segments retransmitted over the subflow's life (tcpi_total_retrans)
 * @param backup            whether either end marked the subflow as a backup path
 *                          (MPTCP_SUBFLOW_FLAG_BKUP_LOC / BKUP_REM); {@code false} also when the
 *                          kernel gave no MPTCP ULP info (the reader lacks CAP_NET_ADMIN)
 * @param congestionControl the congestion control name, e.g. {@code "cubic"}, or {@code null}
 */
public record SubflowSnapshot(InetSocketAddress local, InetSocketAddress remote, TcpState state, int localId, int remoteId,
                              long rttMicros, long cwnd, long bytesSent, long bytesReceived, long bytesAcked,
                              long retransmits, boolean backup, String congestionControl) {
    /** Checks that the addresses and the state are present. */
    public SubflowSnapshot {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(state, "state");
    }
}
