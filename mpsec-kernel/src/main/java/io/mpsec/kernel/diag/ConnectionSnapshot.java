package io.mpsec.kernel.diag;

import io.mpsec.TcpState;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * One MPTCP connection (an MPTCP socket, "msk") of a network namespace at one moment, with its TCP
 * subflows, as sock_diag reported them ({@link ConnectionDiag}).
 *
 * <p>The token identifies the connection on this host (RFC 8684 section 2.2: a hash of this host's
 * key); it is not secret, but it is unique per connection, so metrics use it as a tag only when
 * per-connection series are asked for. A value the kernel did not report is -1.
 *
 * @param token         this host's MPTCP token (mptcpi_token), unsigned 32 bits
 * @param local         local address and port of the connection (those of its initial subflow)
 * @param remote        remote address and port
 * @param state         the MPTCP connection's own state
 * @param fallback      whether the connection fell back to plain TCP (MPTCP_INFO_FLAG_FALLBACK):
 *                      the peer or a middlebox did not speak MPTCP; it then has one subflow
 * @param bytesSent     data-level bytes sent (mptcpi_bytes_sent, Linux 6.5+), or -1
 * @param bytesReceived data-level bytes received (mptcpi_bytes_received, Linux 6.5+), or -1
 * @param subflows      the TCP subflows found for this connection, in the kernel's dump order
 */
public record ConnectionSnapshot(long token, InetSocketAddress local, InetSocketAddress remote, TcpState state,
                                 boolean fallback, long bytesSent, long bytesReceived, List<SubflowSnapshot> subflows) {
    /** Copies the subflow list; checks that the addresses and the state are present. */
    public ConnectionSnapshot {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(state, "state");
        subflows = List.copyOf(subflows);
    }

    /** The token as {@code ss -M} prints it: lower-case hex without leading zeros. */
    public String tokenHex() {
        return Long.toHexString(token);
    }

    /** Subflows in use for data: established and not backups. */
    public int activeSubflows() {
        int n = 0;
        for (SubflowSnapshot s : subflows) {
            if (s.state() == TcpState.ESTABLISHED && !s.backup()) {
                n++;
            }
        }
        return n;
    }
}
