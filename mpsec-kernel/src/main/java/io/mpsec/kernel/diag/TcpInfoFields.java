package io.mpsec.kernel.diag;

import io.mpsec.TcpState;
import io.mpsec.kernel.ffi.Bytes;

/**
 * The {@code struct tcp_info} fields a {@link SubflowSnapshot} carries, read from INET_DIAG_INFO by
 * the length the kernel sent (include/uapi/linux/tcp.h, Linux 6.18). A field beyond that length
 * reads as -1.
 * <pre>
 * __u8  tcpi_state;            //   0
 * __u8  tcpi_retransmits;      //   2  RTOs since the last forward progress
 * __u8  tcpi_backoff;          //   4
 * __u32 tcpi_rto;              //   8  microseconds
 * __u32 tcpi_unacked;          //  24  segments
 * __u32 tcpi_last_ack_recv;    //  56  milliseconds ago
 * __u32 tcpi_rtt;              //  68  microseconds
 * __u32 tcpi_snd_cwnd;         //  80  segments
 * __u32 tcpi_total_retrans;    // 100
 * __u64 tcpi_bytes_acked;      // 120  (4.1+)
 * __u64 tcpi_bytes_received;   // 128  (4.1+)
 * __u64 tcpi_bytes_sent;       // 200  (4.19+)
 * </pre>
 */
final class TcpInfoFields {
    static final int OFF_RETRANSMITS = 2;
    static final int OFF_BACKOFF = 4;
    static final int OFF_RTO = 8;
    static final int OFF_UNACKED = 24;
    static final int OFF_LAST_ACK_RECV = 56;
    static final int OFF_RTT = 68;
    static final int OFF_SND_CWND = 80;
    static final int OFF_TOTAL_RETRANS = 100;
    static final int OFF_BYTES_ACKED = 120;
    static final int OFF_BYTES_RECEIVED = 128;
    static final int OFF_BYTES_SENT = 200;

    private TcpInfoFields() {
    }

    /** An unsigned 32-bit field at {@code off}, or -1 when {@code info} is null or too short. */
    static long u32(byte[] info, int off) {
        return info != null && info.length >= off + 4 ? Bytes.uintLE(info, off) : -1;
    }

    /** A 64-bit field at {@code off}, or -1 when {@code info} is null or too short. */
    static long u64(byte[] info, int off) {
        return info != null && info.length >= off + 8 ? Bytes.longLE(info, off) : -1;
    }

    /** The subflow described by one TCP dump entry. */
    static SubflowSnapshot subflow(InetDiagMsg m) {
        byte[] i = m.info();
        MptcpSubflowAttrs a = m.mptcp();
        return new SubflowSnapshot(m.local(), m.remote(), TcpState.of(m.state()), a == null ? -1 : a.idLocal(),
                a == null ? -1 : a.idRemote(), u32(i, OFF_RTT), u32(i, OFF_SND_CWND), u64(i, OFF_BYTES_SENT),
                u64(i, OFF_BYTES_RECEIVED), u64(i, OFF_BYTES_ACKED), u32(i, OFF_TOTAL_RETRANS), a != null && a.backup(),
                m.congestion());
    }
}
