package io.mpsec.kernel.diag;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Whether one TCP socket (an MPTCP subflow) is making progress, from its {@code struct tcp_info}
 * (include/uapi/linux/tcp.h, Linux 6.18) as sock_diag reported it ({@link SubflowProgressReader}). A
 * value the kernel did not report is -1.
 *
 * @param local          local address and port (an IPv4-mapped address as IPv4)
 * @param remote         remote address and port
 * @param timeouts       retransmission timeouts since the last forward progress (tcpi_retransmits,
 *                       the kernel's icsk_retransmits; 0 again once new data is acknowledged)
 * @param backoff        exponential backoff of the retransmission timer (tcpi_backoff)
 * @param unacked        segments sent and not yet acknowledged (tcpi_unacked)
 * @param lastAckMillis  milliseconds since the last ACK of any kind arrived (tcpi_last_ack_recv)
 * @param rttMicros      smoothed round-trip time, microseconds (tcpi_rtt; 0 before the first sample)
 * @param rtoMicros      the retransmission timeout, microseconds (tcpi_rto)
 * @param bytesAcked     bytes acknowledged by the peer (tcpi_bytes_acked)
 * @param bytesSent      bytes sent, retransmissions included (tcpi_bytes_sent)
 */
public record SubflowProgress(InetSocketAddress local, InetSocketAddress remote, int timeouts, int backoff, long unacked,
                              long lastAckMillis, long rttMicros, long rtoMicros, long bytesAcked, long bytesSent) {
    /** Checks that the addresses are present. */
    public SubflowProgress {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
    }

    /** The fields of one TCP dump entry. */
    static SubflowProgress of(InetDiagMsg m) {
        byte[] i = m.info();
        return new SubflowProgress(m.local(), m.remote(), u8(i, TcpInfoFields.OFF_RETRANSMITS), u8(i, TcpInfoFields.OFF_BACKOFF),
                TcpInfoFields.u32(i, TcpInfoFields.OFF_UNACKED), TcpInfoFields.u32(i, TcpInfoFields.OFF_LAST_ACK_RECV),
                TcpInfoFields.u32(i, TcpInfoFields.OFF_RTT), TcpInfoFields.u32(i, TcpInfoFields.OFF_RTO),
                TcpInfoFields.u64(i, TcpInfoFields.OFF_BYTES_ACKED), TcpInfoFields.u64(i, TcpInfoFields.OFF_BYTES_SENT));
    }

    private static int u8(byte[] info, int off) {
        return info != null && info.length > off ? info[off] & 0xff : -1;
    }
}
