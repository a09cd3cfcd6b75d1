package io.mpsec.metrics.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpsec.ipsec.inspect.InterfaceTraffic;
import io.mpsec.ipsec.inspect.PeerAddresses;
import io.mpsec.ipsec.inspect.PeerInspector;
import io.mpsec.ipsec.inspect.PeerTrafficCounters;
import io.mpsec.ipsec.inspect.TrafficVerdict;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The binder on a real counters table: cleartext TCP between the peers (this host has no ESP) turns
 * c1's verdict to cleartext, the meters show what {@code nft list counters} shows, and the quiet c2
 * stays unknown.
 */
class PacketSecurityMetricsIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).build();
    static final Pattern COUNTER = Pattern.compile("counter (\\S+) \\{\\s*packets (\\d+) bytes (\\d+)");

    @Test
    void cleartextBetweenThePeersMakesTheVerdictCleartextAndTheMetersMatchNft() throws Exception {
        Privileged.requireTool("nft", "nftables");
        Privileged.requireTool("python3", "python3");
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        PeerAddresses peers = PeerAddresses.of(List.of(c.address(1), c.address(2)), List.of(s.address(1), s.address(2)));
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (NetNamespace ns = NetNamespace.open(c.namespace());
                PeerTrafficCounters counters = PeerTrafficCounters.install(ns, peers, List.of(c.iface(1), c.iface(2)))) {
            PacketSecurityMetrics m = new PacketSecurityMetrics(c.namespace(), counters::read, Duration.ofMinutes(5),
                    iface -> PeerInspector.inspect(ns, iface, peers, 5, Duration.ofSeconds(2)));
            m.bindTo(reg);
            assertThat(m.verdict(c.iface(1))).isEqualTo(TrafficVerdict.UNKNOWN);
            // an independent TCP peer pair: python3 on both ends, 100 kB over path 1
            s.startProcess("python3", "-c", "import socket\nl=socket.create_server(('" + s.address(1).getHostAddress()
                    + "',5403))\nc,_=l.accept()\nwhile c.recv(65536): pass");
            c.execOk("python3", "-c", "import socket,time\nfor i in range(50):\n  try:\n    s=socket.create_connection(('"
                    + s.address(1).getHostAddress() + "',5403)); break\n  except OSError: time.sleep(0.1)\n"
                    + "s.sendall(b'x'*100000); s.close()");
            Thread.sleep(300);
            m.sample();
            assertThat(m.verdict(c.iface(1))).isEqualTo(TrafficVerdict.CLEARTEXT);
            assertThat(m.verdict(c.iface(2))).isEqualTo(TrafficVerdict.UNKNOWN);
            assertThat(reg.get("mpsec.packet.security.verdict").tags("netns", c.namespace(), "interface", c.iface(1),
                    "verdict", "cleartext").gauge().value()).isEqualTo(1);

            String nft = c.execOk("nft", "list", "counters", "table", "inet", "mpsec_stats").stdout();
            Matcher x = COUNTER.matcher(nft);
            int checked = 0;
            while (x.find()) {
                String name = x.group(1);
                if (!name.endsWith("_" + c.iface(1))) {
                    continue;
                }
                String[] f = name.split("_");
                double packets = reg.get("mpsec.packet.security.packets").tags("interface", c.iface(1), "class", f[0],
                        "direction", f[1]).functionCounter().count();
                double bytes = reg.get("mpsec.packet.security.bytes").tags("interface", c.iface(1), "class", f[0],
                        "direction", f[1]).functionCounter().count();
                assertThat(new long[] {(long) packets, (long) bytes}).as(name + " in nft and in the registry")
                        .containsExactly(Long.parseLong(x.group(2)), Long.parseLong(x.group(3)));
                checked++;
            }
            assertThat(checked).isEqualTo(6);
            InterfaceTraffic c1 = counters.read().get(c.iface(1));
            assertThat(c1.tcpOut().bytes()).isGreaterThan(100_000);
            assertThat(reg.find("mpsec.packet.security.verdict").meters()).hasSize(3 * 3); // c1, c2, (unlisted)
            List<InterfaceSecurity> snap = m.snapshot();
            assertThat(snap).extracting(InterfaceSecurity::iface).contains(c.iface(1), c.iface(2), PeerTrafficCounters.UNLISTED);
        }
    }
}
