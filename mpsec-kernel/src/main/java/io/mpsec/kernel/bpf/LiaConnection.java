package io.mpsec.kernel.bpf;

import io.mpsec.kernel.ffi.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * One MPTCP connection as {@code mpsec_lia} sees it: an entry of its map {@code mpsec_lia_conns}
 * (layout: {@code struct mpsec_lia_conn} in {@code mpsec-kernel/src/main/bpf/mpsec_lia.bpf.c}).
 *
 * @param token MPTCP connection token
 * @param alpha the RFC 6356 alpha last computed (0 before two subflows were coupled)
 * @param updates how many times alpha was computed (on ACKs while two or more subflows were coupled)
 * @param subflows the coupled subflows' congestion windows and smoothed RTTs
 */
public record LiaConnection(long token, double alpha, long updates, List<Subflow> subflows) {
    /** Bytes of {@code struct mpsec_lia_conn} (x86_64 and every 64-bit ABI: no padding). */
    static final int SIZE = 152;
    private static final int SLOTS = 8;

    /**
     * A coupled subflow.
     *
     * @param cwnd congestion window in packets
     * @param rttMicros smoothed RTT in microseconds
     */
    public record Subflow(int cwnd, int rttMicros) {
    }

    public LiaConnection {
        subflows = List.copyOf(subflows);
    }

    static LiaConnection parse(byte[] v) {
        List<Subflow> sfs = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            if (Bytes.longLE(v, 8 * i) != 0) {
                sfs.add(new Subflow(Bytes.intLE(v, 64 + 4 * i), Bytes.intLE(v, 96 + 4 * i)));
            }
        }
        long token = Bytes.uintLE(v, 128);
        return new LiaConnection(token, Bytes.longLE(v, 136) / 1e6, Bytes.longLE(v, 144), sfs);
    }

    /**
     * RFC 6356's alpha from the given windows and RTTs:
     * {@code cwnd_total * max(cwnd_i / rtt_i^2) / (sum(cwnd_i / rtt_i))^2}.
     */
    public static double rfc6356Alpha(double[] cwnd, double[] rtt) {
        double total = 0;
        double max = 0;
        double sum = 0;
        for (int i = 0; i < cwnd.length; i++) {
            total += cwnd[i];
            max = Math.max(max, cwnd[i] / (rtt[i] * rtt[i]));
            sum += cwnd[i] / rtt[i];
        }
        return total * max / (sum * sum);
    }
}
