package io.mpsec.agent.web;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The MPTCP connections of one namespace and their subflows, for the connections table (for example
 * from an inet_diag enumeration). Register one per namespace with
 * {@link Dashboard#connections(String, ConnectionsSource)}; until then the table is empty and the API
 * says {@code "source": "none"}.
 */
@FunctionalInterface
public interface ConnectionsSource {
    /** No source: no connections are shown. */
    ConnectionsSource NONE = List::of;

    /** The connections now (called once a second; keep it cheap). */
    List<ConnectionRow> connections() throws IOException;

    /**
     * One MPTCP connection (or a TCP connection that fell back).
     *
     * @param token the MPTCP token (unsigned 32 bit), 0 for a fallen-back connection
     * @param local the local address and port of the first subflow
     * @param remote the remote address and port of the first subflow
     * @param fallback whether the connection fell back to plain TCP
     * @param subflows the subflows, the first one included
     */
    record ConnectionRow(long token, InetSocketAddress local, InetSocketAddress remote, boolean fallback,
            List<SubflowRow> subflows) {
        public ConnectionRow {
            subflows = List.copyOf(subflows);
        }
    }

    /**
     * One subflow.
     *
     * @param local local address and port
     * @param remote remote address and port
     * @param rttMicros smoothed RTT in microseconds (tcpi_rtt)
     * @param cwnd congestion window in segments (tcpi_snd_cwnd)
     * @param bytesSent bytes sent (tcpi_bytes_sent)
     * @param bytesReceived bytes received (tcpi_bytes_received)
     * @param backup whether the subflow is a backup (MP_PRIO / backup endpoint)
     * @param congestionControl the congestion control name, e.g. {@code cubic}
     */
    record SubflowRow(InetSocketAddress local, InetSocketAddress remote, long rttMicros, long cwnd, long bytesSent,
            long bytesReceived, boolean backup, String congestionControl) {
    }
}
