package io.mpsec.ipsec.xfrm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Selector;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Testbed;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * /proc/net/xfrm_stat of a namespace, for real: a BLOCK policy stops packets and the namespace's
 * XfrmOutPolBlock / XfrmInPolBlock rise, while the values read agree with {@code cat} of the same file
 * inside the namespace. xfrm is built into this host's kernel; ESP is not needed.
 */
class XfrmStatIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    static long catCounter(Testbed.Host h, String name) {
        for (String line : h.execOk("cat", "/proc/net/xfrm_stat").stdout().split("\n")) {
            String[] t = line.trim().split("\\s+");
            if (t[0].equals(name)) {
                return Long.parseLong(t[1]);
            }
        }
        throw new AssertionError(name + " not in /proc/net/xfrm_stat");
    }

    static void sendUdp(Testbed.Host from, Testbed.Host to, int count) throws Exception {
        from.call(() -> {
            try (DatagramSocket d = new DatagramSocket()) {
                for (int i = 0; i < count; i++) {
                    try {
                        d.send(new DatagramPacket(new byte[8], 8, new InetSocketAddress(to.address(1), 9)));
                    } catch (java.io.IOException blocked) {
                        // an outbound BLOCK policy fails the send (EPERM); counted by the kernel
                    }
                }
            }
            return null;
        });
    }

    @Test
    void blockPoliciesRaiseThePolicyBlockCountersOfTheirNamespaceOnly() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        try (NetNamespace nc = NetNamespace.open(c.namespace()); NetNamespace ns = NetNamespace.open(s.namespace());
                XfrmClient xc = XfrmClient.open(nc); XfrmClient xs = XfrmClient.open(ns)) {
            XfrmStat c0 = XfrmStat.read(nc);
            XfrmStat s0 = XfrmStat.read(ns);
            assertThat(c0.outPolBlock()).isZero();
            // traffic flows without policies: nothing counted (the positive control of "blocked")
            sendUdp(c, s, 3);
            assertThat(XfrmStat.read(nc).outPolBlock()).isZero();
            // s blocks inbound from c: c's packets reach s and are dropped there
            xs.addPolicy(SecurityPolicy.builder().selector(Selector.hosts(c.address(1), s.address(1))).direction(Direction.IN)
                    .priority(10).action(SecurityPolicy.Action.BLOCK).build());
            sendUdp(c, s, 4);
            long inBlocked = XfrmStat.read(ns).inPolBlock() - s0.inPolBlock();
            assertThat(inBlocked).isGreaterThanOrEqualTo(4);
            // c blocks outbound to s: sends fail at c
            xc.addPolicy(SecurityPolicy.builder().selector(Selector.hosts(c.address(1), s.address(1))).direction(Direction.OUT)
                    .priority(10).action(SecurityPolicy.Action.BLOCK).build());
            sendUdp(c, s, 5);
            XfrmStat c1 = XfrmStat.read(nc);
            assertThat(c1.outPolBlock() - c0.outPolBlock()).isEqualTo(5);
            assertThat(c1.outPolBlock()).isEqualTo(catCounter(c, "XfrmOutPolBlock"));
            assertThat(XfrmStat.read(ns).inPolBlock()).isEqualTo(catCounter(s, "XfrmInPolBlock"))
                    .isEqualTo(s0.inPolBlock() + inBlocked);
            // the namespaces are separate: s sent nothing, c blocked nothing inbound
            assertThat(XfrmStat.read(ns).outPolBlock()).isEqualTo(s0.outPolBlock());
            assertThat(c1.inPolBlock()).isEqualTo(c0.inPolBlock());
            xc.flushPolicies();
            xs.flushPolicies();
        }
        assertThatThrownBy(() -> XfrmStat.parse("garbage")).isInstanceOf(java.io.IOException.class);
    }
}
