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
 *     __u64 mptcpi_rcv_nxt;             // 32   -- 40 bytes: Linux 5.9
 *     __u8  mptcpi_local_addr_used;     // 40
 *     __u8  mptcpi_local_addr_max;      // 41   -- 48 bytes (padded): 5.12
 *     __u8  mptcpi_csum_enabled;        // 42   -- 5.14, in the same 48 bytes
 *     __u32 mptcpi_retransmits;         // 44
 *     __u64 mptcpi_bytes_retrans;       // 48
 *     __u64 mptcpi_bytes_sent;          // 56
 *     __u64 mptcpi_bytes_received;      // 64
 *     __u64 mptcpi_bytes_acked;         // 72   -- 80 bytes: 6.5
 *     __u8  mptcpi_subflows_total;      // 80   -- 88 bytes (padded): 6.8
 *     __u8  reserved[3];                // 81   (6.18: endp_laminar_max, 6.19: endp_fullmesh_max; not decoded)
 *     __u32 mptcpi_last_data_sent;      // 84
 *     __u32 mptcpi_last_data_recv;      // 88
 *     __u32 mptcpi_last_ack_recv;       // 92   -- 96 bytes: 6.10
 * };
 * </pre>
 * (Versions as grouped by mptcp.dev "MPTCP info (Devs)" and the iproute2 syncs of the uapi header.)
 * A field is decoded only when the returned length covers it; otherwise the info reports it as
 * absent (an empty Optional). A length below
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
        MptcpConnectionInfo.Builder i = MptcpConnectionInfo.builder()
                .subflows(u8(b, 0)).addAddrSignal(u8(b, 1)).addAddrAccepted(u8(b, 2))
                .subflowsMax(u8(b, 3)).addAddrSignalMax(u8(b, 4)).addAddrAcceptedMax(u8(b, 5))
                .flags(Bytes.intLE(b, 8)).token(Bytes.uintLE(b, 12))
                .sequenceNumbers(Bytes.longLE(b, 16), Bytes.longLE(b, 24), Bytes.longLE(b, 32))
                .structSize(len);
        if (len >= 42) { // 5.12
            i.localAddrs(u8(b, 40), u8(b, 41));
        }
        if (len >= 43) { // 5.14 (5.12/5.13 return this byte as zero padding of a 48-byte struct)
            i.checksumEnabled(u8(b, 42) != 0);
        }
        if (len >= 80) { // 6.5
            i.counters(Bytes.uintLE(b, 44), Bytes.longLE(b, 48), Bytes.longLE(b, 56), Bytes.longLE(b, 64),
                    Bytes.longLE(b, 72));
        }
        if (len >= 81) { // 6.8
            i.subflowsTotal(u8(b, 80));
        }
        if (len >= 96) { // 6.10
            i.lastActivityMillis(Bytes.uintLE(b, 84), Bytes.uintLE(b, 88), Bytes.uintLE(b, 92));
        }
        return i.build();
    }

    private static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }
}
