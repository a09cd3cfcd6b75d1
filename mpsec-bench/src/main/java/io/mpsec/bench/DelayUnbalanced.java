package io.mpsec.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unbalanced delay: two paths of equal rate, one with {@code delaysMillis[0]} and one with
 * {@code delaysMillis[1]} of netem delay, MPSec's throughput over both as a fraction of the sum of
 * each path alone in the same round ({@link Aggregation#round}, no share check), target >= 0.90. The
 * HTB class 1:10 of every path is set to {@code rateMbit} on both hosts; the delay is netem on the
 * server's side (see {@link #shape}), so the round-trip time grows by it. Netem is not in the build host's kernel: this runs in
 * the kernel lane, at low rates because of the emulation. Each round's record keeps what explains a
 * shortfall: subflow cwnd and RTT, MPTCP_INFO retransmissions, the client's MIB counters.
 */
final class DelayUnbalanced {
    /** The client's queue per path: about 100 ms at 5 Mbit/s, above the slow path's bandwidth-delay product (31 KB). */
    static final int QUEUE_BYTES = 64 * 1024;

    private DelayUnbalanced() {
    }

    static Map<String, Object> run(PathNet net, int rateMbit, int[] delaysMillis, int rounds, double warmSeconds, double seconds)
            throws Exception {
        if (delaysMillis.length != net.paths()) {
            throw new IllegalArgumentException("one delay per path: " + net.paths() + " paths, " + delaysMillis.length + " delays");
        }
        shape(net, rateMbit, delaysMillis);
        EspThroughput.mptcp(net, true);
        List<Double> fraction = new ArrayList<>();
        List<Double> together = new ArrayList<>();
        List<Map<String, Object>> recs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Aggregation.Round a = Aggregation.round(net, warmSeconds, seconds, false);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("round", r);
            rec.put("fractionOfSum", a.fractionOfSum());
            rec.put("ratio", a.ratio());
            rec.putAll(a.detail());
            recs.add(rec);
            fraction.add(a.fractionOfSum());
            together.add(a.together());
            System.out.println("[lane] unbalanced delay round " + r + ": " + SideFile.JSON.writeValueAsString(rec));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rateMbit", rateMbit);
        out.put("delaysMillis", delaysMillis);
        out.put("rounds", rounds);
        out.put("seconds", seconds);
        out.put("fractionOfSum", EfficiencyMain.median(fraction));
        out.put("togetherMbit", EfficiencyMain.median(together));
        out.put("perRound", recs);
        return out;
    }

    /**
     * Sets every path's HTB rate on both hosts (one {@code tc -batch} per host). The delay is a netem
     * qdisc under the server's class, so it holds only the ACKs (small packets, never near netem's
     * limit) and adds to the round-trip time; the data waits in the client's class, whose leaf becomes
     * a byte FIFO of {@value #QUEUE_BYTES} bytes, so a long queue (netem's or pfifo's 1000 packets
     * would hold seconds at these rates) does not hide the delay difference.
     */
    static void shape(PathNet net, int rateMbit, int[] delaysMillis) throws IOException {
        StringBuilder c = new StringBuilder();
        StringBuilder s = new StringBuilder();
        for (int p = 1; p <= net.paths(); p++) {
            String rate = " htb rate " + rateMbit + "mbit ceil " + rateMbit + "mbit\n";
            c.append("class change dev c").append(p).append(" parent 1: classid 1:10").append(rate);
            c.append("qdisc replace dev c").append(p).append(" parent 1:10 handle 10: bfifo limit ").append(QUEUE_BYTES).append('\n');
            s.append("class change dev s").append(p).append(" parent 1: classid 1:10").append(rate);
            s.append("qdisc replace dev s").append(p).append(" parent 1:10 handle 10: netem delay ").append(delaysMillis[p - 1])
                    .append("ms limit 1000\n");
        }
        BenchNet.runWithInput(c.toString(), "tc", "-n", net.client(), "-batch", "-");
        BenchNet.runWithInput(s.toString(), "tc", "-n", net.server(), "-batch", "-");
    }
}
