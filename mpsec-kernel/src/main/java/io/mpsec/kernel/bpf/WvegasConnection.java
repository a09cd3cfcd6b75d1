package io.mpsec.kernel.bpf;

import io.mpsec.kernel.ffi.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * One MPTCP connection as {@code mpsec_wvegas} sees it: an entry of its map {@code mpsec_wv_conns}
 * (layout: {@code struct mpsec_wvegas_conn} in {@code mpsec-kernel/src/main/bpf/mpsec_wvegas.bpf.c}).
 *
 * @param token MPTCP connection token
 * @param rounds per-RTT decisions taken so far, all subflows together
 * @param subflows the coupled subflows, in slot order
 */
public record WvegasConnection(long token, long rounds, List<Subflow> subflows) {
    /** Bytes of {@code struct mpsec_wvegas_conn} (checked by a static assertion in the C source). */
    static final int SIZE = 336;
    /** wVegas's total backlog target of a connection, packets ({@code TOTAL_ALPHA} in the C source). */
    public static final int TOTAL_ALPHA = 10;
    private static final int SLOTS = 8;

    /**
     * A coupled subflow.
     *
     * @param localPort the subflow's local TCP port (as ss prints it)
     * @param cwnd congestion window in packets
     * @param rttMicros smoothed RTT rtt_r in microseconds
     * @param baseRttMicros base RTT baseRTT_r (the smallest smoothed RTT seen) in microseconds
     * @param weight the subflow's share of the connection's rate at its last round, 0 before one
     * @param alpha its backlog target alpha_r = weight * TOTAL_ALPHA at its last round, packets
     * @param diff its backlog diff_r at its last round, packets
     * @param backoffs queueing-delay backoffs so far
     */
    public record Subflow(int localPort, int cwnd, int rttMicros, int baseRttMicros, double weight, double alpha,
                          double diff, int backoffs) {
    }

    public WvegasConnection {
        subflows = List.copyOf(subflows);
    }

    static WvegasConnection parse(byte[] v) {
        if (v.length != SIZE) {
            throw new IllegalArgumentException("an mpsec_wv_conns value has " + SIZE + " bytes, not " + v.length);
        }
        List<Subflow> sfs = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            if (Bytes.longLE(v, 8 * i) != 0) {
                sfs.add(new Subflow(Bytes.intLE(v, 160 + 4 * i), Bytes.intLE(v, 64 + 4 * i), Bytes.intLE(v, 96 + 4 * i),
                        Bytes.intLE(v, 128 + 4 * i), Bytes.uintLE(v, 192 + 4 * i) / 65536.0,
                        Bytes.uintLE(v, 224 + 4 * i) / 1024.0, Bytes.uintLE(v, 256 + 4 * i) / 1024.0,
                        Bytes.intLE(v, 288 + 4 * i)));
            }
        }
        return new WvegasConnection(Bytes.uintLE(v, 320), Bytes.longLE(v, 328), sfs);
    }

    /**
     * wVegas's weights from windows and RTTs (any unit): each path's share of the connection's rate,
     * {@code x_r / sum_k x_k} with {@code x = cwnd / rtt} (Cao, Xu, Fu, IEEE ICNP 2012).
     */
    public static double[] weights(double[] cwnd, double[] rtt) {
        double sum = 0;
        for (int i = 0; i < cwnd.length; i++) {
            sum += cwnd[i] / rtt[i];
        }
        double[] w = new double[cwnd.length];
        for (int i = 0; i < cwnd.length; i++) {
            w[i] = cwnd[i] / rtt[i] / sum;
        }
        return w;
    }

    /**
     * The backlog a path keeps in the network, in packets:
     * {@code diff = (cwnd / baseRtt - cwnd / rtt) * baseRtt}.
     */
    public static double diff(double cwnd, double baseRtt, double rtt) {
        return (cwnd / baseRtt - cwnd / rtt) * baseRtt;
    }
}
