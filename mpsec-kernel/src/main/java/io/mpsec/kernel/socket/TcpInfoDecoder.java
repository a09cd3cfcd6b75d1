package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.Bytes;

/**
 * Reads the few {@code struct tcp_info} fields MPSec reports (include/uapi/linux/tcp.h). Offsets:
 * tcpi_state 0, tcpi_rtt 68, tcpi_snd_cwnd 80, tcpi_bytes_acked 120, tcpi_bytes_received 128 (4.1+),
 * tcpi_bytes_sent 200 (4.19+). A field beyond the returned length reads as -1.
 */
final class TcpInfoDecoder {
    static final int OFF_STATE = 0;
    static final int OFF_RTT = 68;
    static final int OFF_SND_CWND = 80;
    static final int OFF_BYTES_ACKED = 120;
    static final int OFF_BYTES_RECEIVED = 128;
    static final int OFF_BYTES_SENT = 200;
    /** Enough for every field above. */
    static final int SIZEOF_USED = 232;

    private TcpInfoDecoder() {
    }

    static int state(byte[] b, int off, int len) {
        return len > OFF_STATE ? b[off] & 0xff : -1;
    }

    static long u32(byte[] b, int off, int len, int field) {
        return len >= field + 4 ? Bytes.uintLE(b, off + field) : -1;
    }

    static long u64(byte[] b, int off, int len, int field) {
        return len >= field + 8 ? Bytes.longLE(b, off + field) : -1;
    }
}
