package io.mpsec.kernel.socket;

import io.mpsec.MptcpConnectionInfo;
import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.netlink.NetlinkFormatException;

/**
 * Decodes {@code struct mptcp_info} by the length the kernel returned (include/uapi/linux/mptcp.h):
 * <pre>
 * struct mptcp_info {
 *     __u8  mptcpi_subflows;            //  0
 *     __u8  mptcpi_add_addr_signal;     //  1
 *     __u8  mptcpi_add_addr_accepted;   //  2
 *     __u8  mptcpi_subflows_max;        //  3
 *     __u8  mptcpi_add_addr_signal_max; //  4
 *     __u8  mptcpi_add_addr_accepted_max; // 5  (2-byte hole)
 *     __u32 mptcpi_flags;               //  8
 *     __u32 mptcpi_token;               // 12
 *     __u64 mptcpi_write_seq;           // 16
 *     __u64 mptcpi_snd_una;             // 24
 *     __u64 mptcpi_rcv_nxt;             // 32   -- 40 bytes: Linux 5.7
 *     __u8  mptcpi_local_addr_used;     // 40
 *     __u8  mptcpi_local_addr_max;      // 41
 *     __u8  mptcpi_csum_enabled;        // 42   -- 48 bytes (padded): 5.12 / 5.14
 *     __u32 mptcpi_retransmits;         // 44
 *     __u64 mptcpi_bytes_retrans;       // 48
 *     __u64 mptcpi_bytes_sent;          // 56
 *     __u64 mptcpi_bytes_received;      // 64
 *     __u64 mptcpi_bytes_acked;         // 72   -- 80 bytes: 6.5
 *     __u8  mptcpi_subflows_total;      // 80
 *     __u8  reserved[3];                //      -- 88 bytes (padded): 6.6
 *     __u32 mptcpi_last_data_sent;      // 84
 *     __u32 mptcpi_last_data_recv;      // 88
 *     __u32 mptcpi_last_ack_recv;       // 92   -- 96 bytes: 6.10
 * };
 * </pre>
 * A field is decoded only when the returned length covers it; otherwise it is -1. A length below
 * 40 bytes is rejected with {@link NetlinkFormatException} (the kernel binding's one exception for
 * bytes that do not have the layout the kernel documents). Longer structs from future kernels
 * decode the known prefix.
 */
public final class MptcpInfoDecoder {
    /** The size of the newest layout MPSec knows (Linux 6.10+). */
    public static final int SIZEOF_LATEST = 96;
    /** Sizes the kernel has returned over time. */
    public static final int[] KNOWN_SIZES = {40, 48, 80, 88, 96};

    private MptcpInfoDecoder() {
    }

    /** Decodes the bytes getsockopt(MPTCP_INFO) returned (exactly the returned length). */
    public static MptcpConnectionInfo decode(byte[] b) throws NetlinkFormatException {
        int len = b.length;
        if (len < 40) {
            throw new NetlinkFormatException("struct mptcp_info too short: " + len + " bytes (at least 40 expected)");
        }
        boolean v514 = len >= 43;
        boolean v65 = len >= 80;
        boolean v66 = len >= 81;
        boolean v610 = len >= 96;
        return new MptcpConnectionInfo(
                u8(b, 0), u8(b, 1), u8(b, 2), u8(b, 3), u8(b, 4), u8(b, 5),
                Bytes.intLE(b, 8), Bytes.uintLE(b, 12),
                Bytes.longLE(b, 16), Bytes.longLE(b, 24), Bytes.longLE(b, 32),
                len >= 41 ? u8(b, 40) : -1,
                len >= 42 ? u8(b, 41) : -1,
                v514 ? (Boolean) (u8(b, 42) != 0) : null,
                v65 ? Bytes.uintLE(b, 44) : -1,
                v65 ? Bytes.longLE(b, 48) : -1,
                v65 ? Bytes.longLE(b, 56) : -1,
                v65 ? Bytes.longLE(b, 64) : -1,
                v65 ? Bytes.longLE(b, 72) : -1,
                v66 ? u8(b, 80) : -1,
                v610 ? Bytes.uintLE(b, 84) : -1,
                v610 ? Bytes.uintLE(b, 88) : -1,
                v610 ? Bytes.uintLE(b, 92) : -1,
                len);
    }

    private static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }
}
