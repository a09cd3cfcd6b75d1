package io.mpsec.kernel.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.pm.CongestionControl;
import io.mpsec.testbed.Testbed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MPSec's BPF LIA ({@code mpsec_lia}, RFC 6356) on the real kernel: it registers host-wide, MPTCP
 * subflows run it (seen by ss), it aggregates two paths, its alpha matches RFC 6356 on unequal paths,
 * and unregistering it leaves a running connection working. Smoke versions (a few seconds each); the
 * fairness matrices belong to the benchmarks.
 */
class CoupledCongestionControlIT {
    private static final String LIA = "mpsec_lia";

    @RegisterExtension
    final Testbed net = Testbed.builder().hosts("c", "s").path("c", "s", 100).path("c", "s", 25).mptcpLimits(4, 4).build();

    @BeforeEach
    void noLeftoverRegistration() throws Exception {
        CoupledCongestionControl.unregister(LIA);   // a crashed earlier run may have left one
    }

    @Test
    void registersAndAggregatesTwoEqualPaths() throws Exception {
        Testbed.Host c = net.host("c");
        Testbed.Host s = net.host("s");
        // both paths at 100 Mbit/s: reshape path 2 (built at 25 for the alpha test)
        reshape(c, s, 2, 100);
        try (CoupledCongestionControl lia = CoupledCongestionControl.load(CongestionControl.LIA)) {
            assertThat(lia.kernelName()).isEqualTo(LIA);
            assertThat(c.sysctl("net.ipv4.tcp_available_congestion_control")).contains(LIA);
            c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
            try (BulkTransfer t = new BulkTransfer(c, s, s.address(1), LIA)) {
                Thread.sleep(2000);
                double mbit = t.measureMbit(5000);
                List<SsSubflows.Subflow> sfs = SsSubflows.of(c, t.socket().getPort());
                List<LiaConnection> conns = lia.connections();
                System.out.printf("mpsec_lia on 2 x 100 Mbit/s: %.1f Mbit/s (%.2f of 200); ss: %s; map: %s%n",
                        mbit, mbit / 200, sfs, conns);
                t.finish();
                assertThat(sfs).as("subflows in ss").hasSize(2);
                assertThat(sfs).as("ss names mpsec_lia on every subflow").allMatch(sf -> sf.uses(LIA));
                assertThat(conns).as("one coupled connection in the BPF map").hasSize(1);
                assertThat(conns.get(0).subflows()).hasSize(2);
                // a coarse bound (measured 0.93-0.94 of the sum here); the 0.90 target is the benchmark's
                assertThat(mbit).as("goodput over two 100 Mbit/s paths").isGreaterThanOrEqualTo(0.80 * 200);
            }
        }
        assertThat(c.sysctl("net.ipv4.tcp_available_congestion_control")).doesNotContain(LIA);
    }

    @Test
    void alphaFollowsRfc6356OnUnequalPaths() throws Exception {
        Testbed.Host c = net.host("c");
        Testbed.Host s = net.host("s");
        try (CoupledCongestionControl lia = CoupledCongestionControl.load(CongestionControl.LIA)) {
            c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
            try (BulkTransfer t = new BulkTransfer(c, s, s.address(1), LIA)) {
                Thread.sleep(3000);
                List<Double> map = new ArrayList<>();
                List<Double> rfc = new ArrayList<>();
                String last = "";
                for (int i = 0; i < 12; i++) {
                    List<SsSubflows.Subflow> sfs = SsSubflows.of(c, t.socket().getPort());
                    List<LiaConnection> conns = lia.connections();
                    last = "ss " + sfs + "; map " + conns;
                    if (sfs.size() == 2 && conns.size() == 1 && conns.get(0).alpha() > 0) {
                        map.add(conns.get(0).alpha());
                        rfc.add(LiaConnection.rfc6356Alpha(
                                new double[] {sfs.get(0).cwnd(), sfs.get(1).cwnd()},
                                new double[] {sfs.get(0).rttMillis(), sfs.get(1).rttMillis()}));
                    }
                    Thread.sleep(400);
                }
                t.finish();
                double mapMedian = median(map);
                double rfcMedian = median(rfc);
                System.out.printf("alpha on 100 + 25 Mbit/s: BPF map median %.3f, RFC 6356 from ss -ti median %.3f"
                        + " (%d samples); map %s; ss-based %s%n", mapMedian, rfcMedian, map.size(), map, rfc);
                assertThat(map.size()).as("samples with two subflows and an alpha; last: " + last).isGreaterThanOrEqualTo(6);
                assertThat(mapMedian).as("alpha from the BPF map vs RFC 6356 from ss -ti")
                        .isBetween(rfcMedian * 0.85, rfcMedian * 1.15);
                assertThat(Math.abs(mapMedian - 0.5)).as("unequal paths: alpha differs from the equal-path 0.5").isGreaterThan(0.05);
            }
        }
    }

    @Test
    void unregisteringKeepsARunningConnectionWorkingAndNewSubflowsFallBack() throws Exception {
        Testbed.Host c = net.host("c");
        Testbed.Host s = net.host("s");
        String fallback = c.sysctl("net.ipv4.tcp_congestion_control");
        CoupledCongestionControl lia = CoupledCongestionControl.load(CongestionControl.LIA);
        try (BulkTransfer t = new BulkTransfer(c, s, s.address(1), LIA)) {
            Thread.sleep(2000);
            lia.close();
            String available = c.sysctl("net.ipv4.tcp_available_congestion_control");
            double after = t.measureMbit(2500);
            // a subflow created after the unregistering: the in-kernel PM opens it on the new endpoint
            c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
            Thread.sleep(1500);
            List<SsSubflows.Subflow> sfs = SsSubflows.of(c, t.socket().getPort());
            System.out.printf("after unregistering mpsec_lia: available '%s', %.1f Mbit/s on the first subflow;"
                    + " subflows (ss): %s%n", available, after, sfs);
            t.finish();
            assertThat(available).doesNotContain(LIA);
            assertThat(after).as("goodput after unregistering").isGreaterThan(50);
            assertThat(sfs).as("two subflows").hasSize(2);
            SsSubflows.Subflow first = sfs.stream().filter(sf -> sf.local().startsWith(c.address(1).getHostAddress() + ":")).findFirst().orElseThrow();
            SsSubflows.Subflow late = sfs.stream().filter(sf -> sf != first).findFirst().orElseThrow();
            assertThat(first.uses(LIA)).as("the existing subflow keeps mpsec_lia (the kernel holds a reference)").isTrue();
            assertThat(late.uses(LIA)).as("a subflow created afterwards does not get mpsec_lia").isFalse();
            assertThat(late.uses(fallback)).as("it silently falls back to the namespace default " + fallback).isTrue();
            assertThat(CoupledCongestionControl.unregister(LIA))
                    .as("recovery skips the unregistered map that live subflows still hold").isFalse();
            CoupledCongestionControl.load(CongestionControl.LIA).close();   // and a new registration is possible meanwhile
        } finally {
            lia.close();
        }
    }

    private static void reshape(Testbed.Host c, Testbed.Host s, int path, int mbit) {
        for (Testbed.Host h : List.of(c, s)) {
            h.execOk("tc", "class", "change", "dev", h.iface(path), "parent", "1:", "classid", "1:10", "htb",
                    "rate", mbit + "mbit", "ceil", mbit + "mbit");
        }
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        return v.get(v.size() / 2);
    }
}
