package io.mpsec.kernel.bpf;

import io.mpsec.kernel.ffi.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One MPTCP connection as {@code mpsec_olia} sees it: an entry of its map {@code mpsec_olia_conns}
 * (layout: {@code struct mpsec_olia_conn} in {@code mpsec-kernel/src/main/bpf/mpsec_olia.bpf.c}).
 * The sets are those of OLIA (Khalili et al., CoNEXT 2012): M the paths with the largest window, B
 * the paths with the largest {@code l_r / rtt_r^2}, C = B \ M; each subflow's alpha follows from
 * them.
 *
 * @param token MPTCP connection token
 * @param updates how many times the sets were computed (on ACKs)
 * @param subflows the coupled subflows, in slot order
 */
public record OliaConnection(long token, long updates, List<Subflow> subflows) {
    /** Bytes of {@code struct mpsec_olia_conn} (checked by a static assertion in the C source). */
    static final int SIZE = 528;
    private static final int SLOTS = 8;

    /**
     * A coupled subflow.
     *
     * @param localPort the subflow's local TCP port (as ss prints it)
     * @param cwnd congestion window in packets
     * @param rttMicros smoothed RTT in microseconds
     * @param bytesAcked {@code tcp_sock.bytes_acked} at the last ACK the program saw
     * @param lossMark bytes_acked at the last loss (at joining before the first)
     * @param l1 bytes acknowledged between the last two losses
     * @param losses loss events seen (the kernel asked for ssthresh)
     * @param quality the program's {@code (l_r << 40) / rtt_r^2} (l_r in KiB, rtt in microseconds)
     * @param alpha OLIA's alpha_r
     * @param maxWindow whether the subflow is in M
     * @param best whether it is in B
     * @param collected whether it is in C = B \ M
     */
    public record Subflow(int localPort, int cwnd, int rttMicros, long bytesAcked, long lossMark, long l1, int losses,
            long quality, double alpha, boolean maxWindow, boolean best, boolean collected) {
        /** OLIA's l_r: max(bytes between the last two losses, bytes since the last loss). */
        public long l() {
            return Math.max(l1, bytesAcked - lossMark);
        }
    }

    public OliaConnection {
        subflows = List.copyOf(subflows);
    }

    static OliaConnection parse(byte[] v) {
        int best = Bytes.intLE(v, 496);
        int maxW = Bytes.intLE(v, 500);
        int collected = Bytes.intLE(v, 504);
        List<Subflow> sfs = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            if (Bytes.longLE(v, 8 * i) == 0) {
                continue;
            }
            int bit = 1 << i;
            sfs.add(new Subflow(Bytes.intLE(v, 392 + 4 * i), Bytes.intLE(v, 328 + 4 * i), Bytes.intLE(v, 360 + 4 * i),
                    Bytes.longLE(v, 64 + 8 * i), Bytes.longLE(v, 128 + 8 * i), Bytes.longLE(v, 192 + 8 * i),
                    Bytes.intLE(v, 424 + 4 * i), Bytes.longLE(v, 256 + 8 * i), Bytes.intLE(v, 456 + 4 * i) / 1e6,
                    (maxW & bit) != 0, (best & bit) != 0, (collected & bit) != 0));
        }
        return new OliaConnection(Bytes.uintLE(v, 488), Bytes.longLE(v, 520), sfs);
    }

    /**
     * OLIA's sets from given per-path values, as the paper defines them.
     *
     * @param maxWindow M: indexes of the paths with the largest window
     * @param best B: indexes of the paths with the largest {@code l / rtt^2}
     * @param collected C = B \ M
     */
    public record Sets(Set<Integer> maxWindow, Set<Integer> best, Set<Integer> collected) {
        /** OLIA's alpha_r of path {@code r} among {@code n} paths. */
        public double alpha(int r, int n) {
            if (collected.isEmpty()) {
                return 0;
            }
            if (collected.contains(r)) {
                return 1.0 / n / collected.size();
            }
            return maxWindow.contains(r) ? -1.0 / n / maxWindow.size() : 0;
        }
    }

    /**
     * Computes OLIA's sets: {@code cwnd} in packets, {@code rtt} in any unit, {@code l} in any unit
     * (OLIA's l_r). Values within {@code relativeTie} of the maximum count as the maximum.
     */
    public static Sets sets(double[] cwnd, double[] rtt, double[] l, double relativeTie) {
        double maxW = 0;
        double maxQ = 0;
        for (int i = 0; i < cwnd.length; i++) {
            maxW = Math.max(maxW, cwnd[i]);
            maxQ = Math.max(maxQ, l[i] / (rtt[i] * rtt[i]));
        }
        Set<Integer> m = new TreeSet<>();
        Set<Integer> b = new TreeSet<>();
        for (int i = 0; i < cwnd.length; i++) {
            if (cwnd[i] >= maxW * (1 - relativeTie)) {
                m.add(i);
            }
            if (l[i] / (rtt[i] * rtt[i]) >= maxQ * (1 - relativeTie)) {
                b.add(i);
            }
        }
        Set<Integer> c = new TreeSet<>(b);
        c.removeAll(m);
        return new Sets(Set.copyOf(m), Set.copyOf(b), Set.copyOf(c));
    }
}
