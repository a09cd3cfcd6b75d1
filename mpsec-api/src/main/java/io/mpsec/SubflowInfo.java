package io.mpsec;

import java.net.InetSocketAddress;

/**
 * One TCP subflow of an MPTCP connection.
 *
 * @param id            the kernel's subflow id (MPTCP_FULL_INFO), or -1 when unknown
 * @param local         local address and port
 * @param remote        remote address and port
 * @param rttMicros     smoothed RTT (tcpi_rtt) in microseconds
 * @param cwnd          congestion window in segments (tcpi_snd_cwnd)
 * @param bytesSent     bytes sent on this subflow (tcpi_bytes_sent, 4.19+), or -1
 * @param bytesReceived bytes received on this subflow (tcpi_bytes_received)
 * @param bytesAcked    bytes acked on this subflow (tcpi_bytes_acked)
 * @param backup        whether this subflow is a backup path (MP_PRIO), or {@code null} when the
 *                      kernel interface used could not tell
 * @param tcpState      TCP state number (tcpi_state; 1 = ESTABLISHED)
 */
public record SubflowInfo(int id, InetSocketAddress local, InetSocketAddress remote, long rttMicros, long cwnd,
                          long bytesSent, long bytesReceived, long bytesAcked, Boolean backup, int tcpState) {
}
