package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.pm.CongestionControl;
import io.mpsec.testbed.Testbed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MPSec's BPF BALIA ({@code mpsec_balia}, Peng, Walid, Hwang, Low, IEEE/ACM ToN 2016) on the real
 * kernel: it aggregates two equal paths, and on unequal paths (100 and 25 Mbit/s HTB) the alpha_r =
 * max_k x_k / x_r it keeps per subflow matches the one computed independently from {@code ss -ti}
 * (cwnd / rtt). Smoke versions, about 10 s each.
 */
class CoupledBaliaIT {
    private static final String BALIA = "mpsec_balia";

    @RegisterExtension
    final Testbed net = Testbed.builder().hosts("c", "s").path("c", "s", 100).path("c", "s", 25).mptcpLimits(4, 4).build();

    @BeforeEach
    void noLeftoverRegistration() throws Exception {
        CoupledCongestionControl.unregister(BALIA);   // a crashed earlier run may have left one
    }

    @Test
    void aggregatesTwoEqualPaths() throws Exception {
        Testbed.Host c = net.host("c");
        Testbed.Host s = net.host("s");
        for (Testbed.Host h : List.of(c, s)) {   // path 2 at 100 Mbit/s too (built at 25 for the alpha test)
            h.execOk("tc", "class", "change", "dev", h.iface(2), "parent", "1:", "classid", "1:10", "htb",
                    "rate", "100mbit", "ceil", "100mbit");
        }
        try (CoupledCongestionControl balia = CoupledCongestionControl.load(CongestionControl.BALIA)) {
            assertThat(balia.kernelName()).isEqualTo(BALIA);
            c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
            try (BulkTransfer t = new BulkTransfer(c, s, s.address(1), BALIA)) {
                Thread.sleep(2000);
                double mbit = t.measureMbit(5000);
                List<SsSubflows.Subflow> sfs = SsSubflows.of(c, t.socket().getPort());
                List<BaliaConnection> conns = balia.baliaConnections();
                System.out.printf("mpsec_balia on 2 x 100 Mbit/s: %.1f Mbit/s (%.3f of 200); map: %s%n", mbit, mbit / 200, conns);
                t.finish();
                assertThat(sfs).as("subflows in ss").hasSize(2);
                assertThat(sfs).as("ss names mpsec_balia on every subflow").allMatch(sf -> sf.uses(BALIA));
                assertThat(conns).as("one coupled connection in the BPF map").hasSize(1);
                assertThat(conns.get(0).subflows()).hasSize(2);
                // the target is 0.90 of the sum (measured 0.91-0.94 at a load average of 20); a CI smoke on a shared
                // machine asserts 0.85, as the LIA test keeps its margin too
                assertThat(mbit).as("goodput over two 100 Mbit/s paths").isGreaterThanOrEqualTo(0.85 * 200);
            }
        }
        assertThat(c.sysctl("net.ipv4.tcp_available_congestion_control")).doesNotContain(BALIA);
    }

    @Test
    void alphaOfEachSubflowMatchesSsOnUnequalPaths() throws Exception {
        Testbed.Host c = net.host("c");
        Testbed.Host s = net.host("s");
        try (CoupledCongestionControl balia = CoupledCongestionControl.load(CongestionControl.BALIA)) {
            c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
            try (BulkTransfer t = new BulkTransfer(c, s, s.address(1), BALIA)) {
                Thread.sleep(1500);
                List<Double> ratios = new ArrayList<>();   // map alpha / ss alpha of the slower subflow
                int fastIsOne = 0;
                int samples = 0;
                List<String> log = new ArrayList<>();
                long end = System.nanoTime() + 8_000_000_000L;   // at most 8 s: an ss and a map read take 0.6-2 s here
                for (int i = 0; i < 12 && System.nanoTime() < end; i++) {
                    List<SsSubflows.Subflow> sfs = SsSubflows.of(c, t.socket().getPort());
                    List<BaliaConnection> conns = balia.baliaConnections();
                    if (sfs.size() != 2 || conns.size() != 1 || conns.get(0).subflows().size() != 2) {
                        log.add("sample " + i + ": ss " + sfs.size() + " subflows, map " + conns);
                        continue;
                    }
                    Map<Integer, BaliaConnection.Subflow> byPort = new HashMap<>();
                    conns.get(0).subflows().forEach(sf -> byPort.put(sf.localPort(), sf));
                    double[] cwnd = {sfs.get(0).cwnd(), sfs.get(1).cwnd()};
                    double[] rtt = {sfs.get(0).rttMillis(), sfs.get(1).rttMillis()};
                    double[] ss = BaliaConnection.alphas(cwnd, rtt);
                    BaliaConnection.Subflow[] map = {byPort.get(sfs.get(0).localPort()), byPort.get(sfs.get(1).localPort())};
                    assertThat(map).as("map slots carry the ss subflows' local ports").doesNotContainNull();
                    log.add(String.format("sample %d: ss cwnd %s rtt %s -> alpha %.3f/%.3f | map cwnd %d/%d rtt %d/%d us"
                            + " -> alpha %.3f/%.3f", i, java.util.Arrays.toString(cwnd), java.util.Arrays.toString(rtt), ss[0], ss[1],
                            map[0].cwnd(), map[1].cwnd(), map[0].rttMicros(), map[1].rttMicros(), map[0].alpha(), map[1].alpha()));
                    samples++;
                    int slow = ss[0] >= ss[1] ? 0 : 1;
                    ratios.add(map[slow].alpha() / ss[slow]);
                    fastIsOne += Math.abs(map[1 - slow].alpha() - 1.0) < 0.01 ? 1 : 0;
                }
                t.finish();
                log.forEach(System.out::println);
                Collections.sort(ratios);
                double median = ratios.isEmpty() ? Double.NaN : ratios.get(ratios.size() / 2);
                System.out.printf("mpsec_balia on 100 + 25 Mbit/s: slower subflow's alpha map/ss median ratio %.3f (%d samples: %s);"
                        + " faster subflow's alpha 1 in %d%n", median, samples, ratios, fastIsOne);
                assertThat(samples).as("samples with two subflows in ss and the map").isGreaterThanOrEqualTo(5);
                assertThat(median).as("alpha of the slower subflow, map vs ss -ti").isBetween(0.85, 1.15);
                assertThat(fastIsOne).as("the faster subflow's alpha is 1").isGreaterThanOrEqualTo((int) Math.ceil(0.8 * samples));
            }
        }
    }
}
