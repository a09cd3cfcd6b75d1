package io.mpsec.kernel.bpf;

import io.mpsec.kernel.ffi.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * One MPTCP connection as {@code mpsec_balia} sees it: an entry of its map {@code mpsec_balia_conns}
 * (layout: {@code struct mpsec_balia_conn} in {@code mpsec-kernel/src/main/bpf/mpsec_balia.bpf.c}).
 *
 * @param token MPTCP connection token
 * @param updates how many times the alphas were computed (on ACKs)
 * @param subflows the coupled subflows, in slot order
 */
public record BaliaConnection(long token, long updates, List<Subflow> subflows) {
    /** Bytes of {@code struct mpsec_balia_conn} (checked by a static assertion in the C source). */
    static final int SIZE = 248;
    private static final int SLOTS = 8;

    /**
     * A coupled subflow.
     *
     * @param localPort the subflow's local TCP port (as ss prints it)
     * @param cwnd congestion window in packets
     * @param rttMicros smoothed RTT in microseconds
     * @param alpha BALIA's alpha_r = max_k x_k / x_r (0 before it was computed)
     * @param losses loss events seen (the kernel asked for ssthresh)
     */
    public record Subflow(int localPort, int cwnd, int rttMicros, double alpha, int losses) {
        /** The fraction of the window a loss on this subflow removes: min(alpha, 1.5) / 2. */
        public double lossDecrease() {
            return Math.min(Math.max(alpha, 1), 1.5) / 2;
        }
    }

    public BaliaConnection {
        subflows = List.copyOf(subflows);
    }

    static BaliaConnection parse(byte[] v) {
        List<Subflow> sfs = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            if (Bytes.longLE(v, 8 * i) != 0) {
                sfs.add(new Subflow(Bytes.intLE(v, 128 + 4 * i), Bytes.intLE(v, 64 + 4 * i), Bytes.intLE(v, 96 + 4 * i),
                        Bytes.uintLE(v, 160 + 4 * i) / 1024.0, Bytes.intLE(v, 192 + 4 * i)));
            }
        }
        return new BaliaConnection(Bytes.uintLE(v, 224), Bytes.longLE(v, 240), sfs);
    }

    /**
     * BALIA's alpha of every path from windows and RTTs (any unit): {@code max_k x_k / x_r} with
     * {@code x = cwnd / rtt} (Peng, Walid, Hwang, Low, IEEE/ACM ToN 2016).
     */
    public static double[] alphas(double[] cwnd, double[] rtt) {
        double max = 0;
        for (int i = 0; i < cwnd.length; i++) {
            max = Math.max(max, cwnd[i] / rtt[i]);
        }
        double[] a = new double[cwnd.length];
        for (int i = 0; i < cwnd.length; i++) {
            a[i] = max / (cwnd[i] / rtt[i]);
        }
        return a;
    }

    /**
     * BALIA's window increase per acknowledged packet on path {@code r}:
     * {@code x_r / (rtt_r (sum x)^2) * (1 + alpha_r)/2 * (4 + alpha_r)/5}.
     */
    public static double increase(double[] cwnd, double[] rtt, int r) {
        double sum = 0;
        for (int i = 0; i < cwnd.length; i++) {
            sum += cwnd[i] / rtt[i];
        }
        double a = alphas(cwnd, rtt)[r];
        return (cwnd[r] / rtt[r]) / (rtt[r] * sum * sum) * (1 + a) / 2 * (4 + a) / 5;
    }
}
