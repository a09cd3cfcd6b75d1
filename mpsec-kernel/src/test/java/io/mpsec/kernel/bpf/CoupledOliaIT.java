package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.pm.CongestionControl;
import io.mpsec.testbed.Testbed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MPSec's BPF OLIA ({@code mpsec_olia}, Khalili et al. CoNEXT 2012) on the real kernel: it aggregates
 * two equal paths, and on unequal paths (100 and 25 Mbit/s HTB) the sets it keeps in its map (M, the
 * max-window paths; B, the best paths by {@code l/rtt^2}) match the sets computed independently from
 * {@code ss -ti} (cwnd, rtt, bytes_acked and retransmissions). Smoke versions, about 10 s each.
 */
class CoupledOliaIT {
    private static final String OLIA = "mpsec_olia";

    @RegisterExtension
    final Testbed net = Testbed.builder().hosts("c", "s").path("c", "s", 100).path("c", "s", 25).mptcpLimits(4, 4).build();

    @BeforeEach
    void noLeftoverRegistration() throws Exception {
        CoupledCongestionControl.unregister(OLIA);   // a crashed earlier run may have left one
    }

    @Test
    void aggregatesTwoEqualPaths() throws Exception {
        Testbed.Host c = net.host("c");
        Testbed.Host s = net.host("s");
        for (Testbed.Host h : List.of(c, s)) {   // path 2 at 100 Mbit/s too (built at 25 for the sets test)
            h.execOk("tc", "class", "change", "dev", h.iface(2), "parent", "1:", "classid", "1:10", "htb",
                    "rate", "100mbit", "ceil", "100mbit");
        }
        try (CoupledCongestionControl olia = CoupledCongestionControl.load(CongestionControl.OLIA)) {
            assertThat(olia.kernelName()).isEqualTo(OLIA);
            assertThat(c.sysctl("net.ipv4.tcp_available_congestion_control")).contains(OLIA);
            c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
            try (BulkTransfer t = new BulkTransfer(c, s, s.address(1), OLIA)) {
                Thread.sleep(2000);
                double mbit = t.measureMbit(5000);
                List<SsSubflows.Subflow> sfs = SsSubflows.of(c, t.socket().getPort());
                List<OliaConnection> conns = olia.oliaConnections();
                System.out.printf("mpsec_olia on 2 x 100 Mbit/s: %.1f Mbit/s (%.3f of 200); ss: %s; map: %s%n",
                        mbit, mbit / 200, sfs, conns);
                t.finish();
                assertThat(sfs).as("subflows in ss").hasSize(2);
                assertThat(sfs).as("ss names mpsec_olia on every subflow").allMatch(sf -> sf.uses(OLIA));
                assertThat(conns).as("one coupled connection in the BPF map").hasSize(1);
                assertThat(conns.get(0).subflows()).hasSize(2);
                // each alpha follows the map's own sets (on equal paths C is often not empty: alpha +-1/2)
                OliaConnection.Subflow[] map = conns.get(0).subflows().toArray(new OliaConnection.Subflow[0]);
                OliaConnection.Sets own = new OliaConnection.Sets(indexes(map, true), indexes(map, false),
                        minus(indexes(map, false), indexes(map, true)));
                for (int k = 0; k < 2; k++) {
                    assertThat(map[k].alpha()).as("alpha of the map's sets " + own).isCloseTo(own.alpha(k, 2),
                            org.assertj.core.api.Assertions.within(1e-5));
                }
                // the target is 0.90 of the sum (measured 0.91-0.94 at a load average of 20); a CI smoke on a shared
                // machine asserts 0.85, as the LIA test keeps its margin too
                assertThat(mbit).as("goodput over two 100 Mbit/s paths").isGreaterThanOrEqualTo(0.85 * 200);
            }
        }
        assertThat(c.sysctl("net.ipv4.tcp_available_congestion_control")).doesNotContain(OLIA);
    }

    @Test
    void setsOfBestAndMaxWindowPathsMatchSsOnUnequalPaths() throws Exception {
        Testbed.Host c = net.host("c");
        Testbed.Host s = net.host("s");
        try (CoupledCongestionControl olia = CoupledCongestionControl.load(CongestionControl.OLIA)) {
            c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
            try (BulkTransfer t = new BulkTransfer(c, s, s.address(1), OLIA)) {
                Thread.sleep(1500);
                SsLoss loss = new SsLoss();
                int clearM = 0;
                int agreeM = 0;
                int clearB = 0;
                int agreeB = 0;
                int lChecked = 0;
                int lClose = 0;
                List<String> log = new ArrayList<>();
                long end = System.nanoTime() + 8_000_000_000L;   // at most 8 s: an ss and a map read take 0.6-2 s here
                for (int i = 0; i < 12 && System.nanoTime() < end; i++) {
                    List<SsSubflows.Subflow> sfs = SsSubflows.of(c, t.socket().getPort());
                    List<OliaConnection> conns = olia.oliaConnections();
                    loss.observe(sfs);
                    if (sfs.size() != 2 || conns.size() != 1 || conns.get(0).subflows().size() != 2) {
                        log.add("sample " + i + ": ss " + sfs.size() + " subflows, map " + conns);
                        continue;
                    }
                    Map<Integer, OliaConnection.Subflow> byPort = new HashMap<>();
                    conns.get(0).subflows().forEach(sf -> byPort.put(sf.localPort(), sf));
                    double[] cwnd = new double[2];
                    double[] rtt = new double[2];
                    double[] l = new double[2];
                    OliaConnection.Subflow[] map = new OliaConnection.Subflow[2];
                    for (int k = 0; k < 2; k++) {
                        SsSubflows.Subflow sf = sfs.get(k);
                        map[k] = byPort.get(sf.localPort());
                        cwnd[k] = sf.cwnd();
                        rtt[k] = sf.rttMillis();
                        l[k] = loss.l(sf);
                    }
                    assertThat(map).as("map slots carry the ss subflows' local ports").doesNotContainNull();
                    OliaConnection.Sets ss = OliaConnection.sets(cwnd, rtt, l, 0);
                    Set<Integer> mapM = indexes(map, true);
                    Set<Integer> mapB = indexes(map, false);
                    log.add(String.format("sample %d: ss cwnd %s rtt %s l %s -> M %s B %s | map cwnd %d/%d l %d/%d losses %d/%d"
                            + " -> M %s B %s alpha %.3f/%.3f", i, java.util.Arrays.toString(cwnd), java.util.Arrays.toString(rtt),
                            java.util.Arrays.toString(l), ss.maxWindow(), ss.best(), map[0].cwnd(), map[1].cwnd(), map[0].l(),
                            map[1].l(), map[0].losses(), map[1].losses(), mapM, mapB, map[0].alpha(), map[1].alpha()));
                    // internal consistency: alpha follows from the map's own sets
                    OliaConnection.Sets own = new OliaConnection.Sets(mapM, mapB, minus(mapB, mapM));
                    for (int k = 0; k < 2; k++) {
                        assertThat(map[k].alpha()).as("alpha of the map's sets").isCloseTo(own.alpha(k, 2),
                                org.assertj.core.api.Assertions.within(1e-5));
                    }
                    // M: comparable when ss and the map read the same windows, or when the windows differ by more
                    // than 10 % (they may move between the two reads). Without losses both windows can stay within a
                    // few packets of each other (seen on an idle machine: 318 and 322), so the 10 % rule alone may
                    // leave no sample
                    boolean sameRead = map[0].cwnd() == (int) cwnd[0] && map[1].cwnd() == (int) cwnd[1] && cwnd[0] != cwnd[1];
                    if (sameRead || Math.abs(cwnd[0] - cwnd[1]) > 0.10 * Math.max(cwnd[0], cwnd[1])) {
                        clearM++;
                        agreeM += ss.maxWindow().equals(mapM) ? 1 : 0;
                    }
                    // B: clear when l/rtt^2 differs by more than a factor 1.5 and ss saw no loss in flight
                    double q0 = l[0] / (rtt[0] * rtt[0]);
                    double q1 = l[1] / (rtt[1] * rtt[1]);
                    if (Math.max(q0, q1) > 1.5 * Math.min(q0, q1) && loss.settled()) {
                        clearB++;
                        agreeB += ss.best().equals(mapB) ? 1 : 0;
                    }
                    for (int k = 0; k < 2; k++) {
                        if (!loss.lostRecently(sfs.get(k)) && l[k] > 1e6) {
                            lChecked++;
                            lClose += Math.abs(map[k].l() - l[k]) <= 0.25 * l[k] ? 1 : 0;
                        }
                    }
                }
                double mbit = t.measureMbit(500);
                t.finish();
                log.forEach(System.out::println);
                System.out.printf("mpsec_olia on 100 + 25 Mbit/s: M agrees with ss in %d of %d comparable samples, B in %d of %d;"
                        + " l within 25%% of the ss estimate in %d of %d; %.1f Mbit/s at the end%n",
                        agreeM, clearM, agreeB, clearB, lClose, lChecked, mbit);
                assertThat(clearM).as("samples where ss shows a largest window the map must agree with").isGreaterThanOrEqualTo(5);
                assertThat(agreeM).as("M from the map equals M from ss -ti").isGreaterThanOrEqualTo((int) Math.ceil(0.8 * clearM));
                assertThat(clearB).as("samples where ss shows a clear best path").isGreaterThanOrEqualTo(5);
                assertThat(agreeB).as("B from the map equals B from ss -ti").isGreaterThanOrEqualTo((int) Math.ceil(0.8 * clearB));
                assertThat(lChecked).as("l comparisons").isGreaterThanOrEqualTo(5);
                assertThat(lClose).as("l_r from the map vs bytes_acked in ss -ti").isGreaterThanOrEqualTo((int) Math.ceil(0.8 * lChecked));
            }
        }
    }

    private static Set<Integer> indexes(OliaConnection.Subflow[] map, boolean maxWindow) {
        Set<Integer> out = new java.util.TreeSet<>();
        for (int k = 0; k < map.length; k++) {
            if (maxWindow ? map[k].maxWindow() : map[k].best()) {
                out.add(k);
            }
        }
        return Set.copyOf(out);
    }

    private static Set<Integer> minus(Set<Integer> a, Set<Integer> b) {
        Set<Integer> out = new java.util.TreeSet<>(a);
        out.removeAll(b);
        return Set.copyOf(out);
    }

    /**
     * OLIA's l_r estimated from ss alone: a loss shows as a rise of the subflow's total retransmissions
     * between two samples; the loss mark is bytes_acked at the sample before, l1 the bytes between the
     * last two marks, l = max(l1, bytes_acked - mark). Without retransmissions l is bytes_acked.
     */
    private static final class SsLoss {
        private final Map<Integer, long[]> state = new HashMap<>();   // port -> {retrans, lastBytes, mark, l1, recent}
        private boolean changed;

        void observe(List<SsSubflows.Subflow> sfs) {
            changed = false;
            for (SsSubflows.Subflow sf : sfs) {
                long[] st = state.computeIfAbsent(sf.localPort(), p -> new long[] {0, 0, 0, 0, 0});
                st[4] = 0;
                if (sf.retransTotal() > st[0]) {
                    st[3] = st[1] - st[2];
                    st[2] = st[1];
                    st[4] = 1;
                    changed = true;
                }
                st[0] = sf.retransTotal();
                st[1] = sf.bytesAcked();
            }
        }

        double l(SsSubflows.Subflow sf) {
            long[] st = state.get(sf.localPort());
            return Math.max(st[3], sf.bytesAcked() - st[2]);
        }

        /** No subflow lost a packet since the previous sample (the marks are exact only then). */
        boolean settled() {
            return !changed;
        }

        boolean lostRecently(SsSubflows.Subflow sf) {
            long[] st = state.get(sf.localPort());
            return st[4] != 0 || st[0] != 0;
        }
    }
}
