package io.mpsec;

/**
 * A snapshot of {@code struct mptcp_info} ({@code getsockopt(SOL_MPTCP, MPTCP_INFO)}, see
 * include/uapi/linux/mptcp.h).
 *
 * <p>The kernel struct grew over time: 40 bytes (Linux 5.7), 48 (5.12-5.14: local address and
 * checksum fields), 80 (6.5: retransmission and byte counters), 88 (6.6: subflows_total), 96
 * (6.10: last-activity times). Fields the running kernel did not report are {@code -1}; {@link #structSize()}
 * tells which version was decoded.
 *
 * @param subflows           additional subflows (mptcpi_subflows); does NOT count the initial subflow
 * @param addAddrSignal      ADD_ADDRs sent
 * @param addAddrAccepted    ADD_ADDRs accepted
 * @param subflowsMax        subflow limit of the path manager
 * @param addAddrSignalMax   signal endpoint limit
 * @param addAddrAcceptedMax accepted ADD_ADDR limit
 * @param flags              MPTCP_INFO_FLAG_* bits (1 = fallback, 2 = remote key received)
 * @param token              the connection token, which joins this socket to mptcp_pm events
 * @param writeSeq           next data sequence number to write
 * @param sndUna             oldest unacknowledged data sequence number
 * @param rcvNxt             next expected data sequence number
 * @param localAddrUsed      local addresses in use, or -1
 * @param localAddrMax       local address limit, or -1
 * @param checksumEnabled    whether DSS checksums are on, or null when not reported
 * @param retransmits        MPTCP-level retransmissions, or -1
 * @param bytesRetrans       bytes retransmitted at MPTCP level, or -1
 * @param bytesSent          bytes sent, or -1
 * @param bytesReceived      bytes received, or -1
 * @param bytesAcked         bytes acked, or -1
 * @param subflowsTotal      all subflows including the initial one (6.6+), or -1
 * @param lastDataSentMillis ms since data was last sent, or -1
 * @param lastDataRecvMillis ms since data was last received, or -1
 * @param lastAckRecvMillis  ms since an ack was last received, or -1
 * @param structSize         bytes the kernel returned
 */
public record MptcpConnectionInfo(
        int subflows, int addAddrSignal, int addAddrAccepted, int subflowsMax, int addAddrSignalMax,
        int addAddrAcceptedMax, int flags, long token, long writeSeq, long sndUna, long rcvNxt,
        int localAddrUsed, int localAddrMax, Boolean checksumEnabled, long retransmits, long bytesRetrans,
        long bytesSent, long bytesReceived, long bytesAcked, int subflowsTotal, long lastDataSentMillis,
        long lastDataRecvMillis, long lastAckRecvMillis, int structSize) {

    /** MPTCP_INFO_FLAG_FALLBACK. */
    public static final int FLAG_FALLBACK = 1;
    /** MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED. */
    public static final int FLAG_REMOTE_KEY_RECEIVED = 2;

    /**
     * Paths (subflows) in use, including the initial one. This is {@code subflows_total} where the
     * kernel reports it (6.6+); on older kernels it is estimated as {@code subflows + 1}, because
     * {@code mptcpi_subflows} counts only the additional subflows.
     */
    public int pathsInUse() {
        return subflowsTotal >= 0 ? subflowsTotal : subflows + 1;
    }

    /** Whether the kernel marked the connection as fallen back to TCP. */
    public boolean fallback() {
        return (flags & FLAG_FALLBACK) != 0;
    }
}
