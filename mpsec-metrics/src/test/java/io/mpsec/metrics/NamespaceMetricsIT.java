package io.mpsec.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The namespace binders against the real kernel, cross-checked by independent tools run inside the
 * namespace: interface counters against {@code ip -s -j link}, per-second rates against the bytes a
 * python3 MPTCP transfer moved, MPTcpExt against {@code nstat -az} and {@code /proc/net/netstat}, and
 * xfrm_stat against {@code /proc/net/xfrm_stat} while a BLOCK policy drops packets (no ESP needed).
 */
class NamespaceMetricsIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    static final String SERVER = String.join("\n",
            "import socket, sys",
            "l = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)",
            "l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "l.bind((sys.argv[1], 5201)); l.listen(1); print('ready', flush=True)",
            "c, _ = l.accept(); n = 0",
            "while True:",
            "    b = c.recv(1 << 16)",
            "    if not b: break",
            "    n += len(b)",
            "print(n, flush=True)");
    static final String CLIENT = String.join("\n",
            "import socket, sys, time",
            "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)",
            "s.connect((sys.argv[1], 5201)); buf = b'x' * (1 << 16); n = 0; end = time.time() + float(sys.argv[2])",
            "while time.time() < end:",
            "    s.sendall(buf); n += len(buf)",
            "s.close(); print(n, flush=True)");

    final SimpleMeterRegistry reg = new SimpleMeterRegistry();

    double counter(String name, String... tags) {
        return reg.get(name).tags(tags).functionCounter().count();
    }

    /** tx/rx bytes and packets of {@code dev} as {@code ip -s -j link} prints them. */
    static long ipLink(Testbed.Host h, String dev, String dir, String field) {
        String json = h.execOk("ip", "-s", "-j", "link", "show", "dev", dev).stdout();
        Matcher m = Pattern.compile("\"" + dir + "\":\\{[^}]*\"" + field + "\":(\\d+)").matcher(json);
        assertThat(m.find()).as(json).isTrue();
        return Long.parseLong(m.group(1));
    }

    static long nstat(Testbed.Host h, String name) {
        // -a absolute, -s do not touch nstat's history file, -z print zeros
        for (String line : h.execOk("nstat", "-asz", name).stdout().split("\n")) {
            String[] t = line.trim().split("\\s+");
            if (t[0].equals(name)) {
                return Long.parseLong(t[1]);
            }
        }
        throw new AssertionError(name + " not printed by nstat");
    }

    @Test
    void interfaceAndMptcpCountersMatchIpAndNstatDuringARealMptcpTransfer() throws Exception {
        Privileged.requireTool("python3", "python3");
        Privileged.requireTool("nstat", "iproute2");
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        String dev = c.iface(1);
        try (Sampler sampler = new Sampler(Duration.ofSeconds(1));
                NamespaceMetrics mc = NamespaceMetrics.watch(c.namespace(), reg, sampler);
                NamespaceMetrics ms = NamespaceMetrics.watch(s.namespace(), reg, sampler)) {
            Process server = s.startProcess("python3", "-c", SERVER, s.address(1).getHostAddress());
            BufferedReader sout = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            assertThat(sout.readLine()).isEqualTo("ready");
            Process client = c.startProcess("python3", "-c", CLIENT, s.address(1).getHostAddress(), "2.5");
            double peakTx = 0;
            while (!client.waitFor(100, TimeUnit.MILLISECONDS)) {
                peakTx = Math.max(peakTx, mc.interfaces().rate(dev, false));
            }
            assertThat(client.exitValue()).isZero();
            long sent = Long.parseLong(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(Long.parseLong(sout.readLine().trim())).isEqualTo(sent);
            // the rate the sampler saw at its peak is at least half the average of the whole transfer
            assertThat(peakTx).isGreaterThan(sent / 2.5 / 2);
            Thread.sleep(300); // older than the 250 ms read cache: the next read is fresh
            long ipTx = ipLink(c, dev, "tx", "bytes");
            double regTx = counter("mpsec.interface.bytes", "netns", c.namespace(), "interface", dev, "direction", "tx");
            assertThat(regTx).isGreaterThan(sent);
            // idle link: the two reads agree within a few stray packets (IPv6 ND and the like)
            assertThat(regTx).isCloseTo(ipTx, org.assertj.core.data.Offset.offset(4096.0));
            assertThat(counter("mpsec.interface.packets", "netns", c.namespace(), "interface", dev, "direction", "tx"))
                    .isCloseTo(ipLink(c, dev, "tx", "packets"), org.assertj.core.data.Offset.offset(10.0));
            assertThat(counter("mpsec.interface.bytes", "netns", s.namespace(), "interface", s.iface(1), "direction", "rx"))
                    .isCloseTo(ipLink(s, s.iface(1), "rx", "bytes"), org.assertj.core.data.Offset.offset(4096.0));
            assertThat(counter("mpsec.interface.errors", "netns", c.namespace(), "interface", dev, "direction", "tx"))
                    .isEqualTo(ipLink(c, dev, "tx", "errors"));

            // MPTcpExt: one MPTCP connection was accepted by s and opened by c
            Thread.sleep(300);
            assertThat(counter("mpsec.mptcp.mib", "netns", s.namespace(), "counter", "MPCapableSYNRX")).isEqualTo(1)
                    .isEqualTo(nstat(s, "MPTcpExtMPCapableSYNRX"));
            assertThat(counter("mpsec.mptcp.mib", "netns", c.namespace(), "counter", "MPCapableSYNTX")).isEqualTo(1)
                    .isEqualTo(nstat(c, "MPTcpExtMPCapableSYNTX"));
            // every counter agrees with the file read by cat in the namespace
            Map<String, Long> cat = ProcCounters.parseNetstat(s.execOk("cat", "/proc/net/netstat").stdout(), "MPTcpExt");
            assertThat(cat).isNotEmpty();
            Thread.sleep(300);
            cat.forEach((k, v) -> assertThat(counter("mpsec.mptcp.mib", "netns", s.namespace(), "counter", k)).as(k)
                    .isEqualTo(v.doubleValue()));
            assertThat(ms.mptcpMib().readFailures()).isZero();
        }
    }

    static long xfrmStat(Testbed.Host h, String name) {
        for (String line : h.execOk("cat", "/proc/net/xfrm_stat").stdout().split("\n")) {
            String[] t = line.trim().split("\\s+");
            if (t[0].equals(name)) {
                return Long.parseLong(t[1]);
            }
        }
        throw new AssertionError(name + " not in /proc/net/xfrm_stat");
    }

    @Test
    void aBlockPolicyShowsInXfrmOutPolBlockAsCatSeesIt() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        try (Sampler sampler = new Sampler(Duration.ofSeconds(1));
                NamespaceMetrics mc = NamespaceMetrics.watch(c.namespace(), reg, sampler);
                NetNamespace nc = NetNamespace.open(c.namespace()); XfrmClient xc = XfrmClient.open(nc)) {
            assertThat(counter("mpsec.xfrm.stat", "netns", c.namespace(), "counter", "XfrmOutPolBlock")).isZero();
            xc.addPolicy(SecurityPolicy.builder().selector(Selector.hosts(c.address(1), s.address(1)))
                    .direction(Direction.OUT).priority(10).action(SecurityPolicy.Action.BLOCK).build());
            // the kill switch at work: every datagram is blocked at c (the send fails with EPERM)
            int failed = c.call(() -> {
                int n = 0;
                try (java.net.DatagramSocket d = new java.net.DatagramSocket()) {
                    for (int i = 0; i < 5; i++) {
                        try {
                            d.send(new java.net.DatagramPacket(new byte[8], 8, new java.net.InetSocketAddress(s.address(1), 9)));
                        } catch (java.io.IOException blocked) {
                            n++;
                        }
                    }
                }
                return n;
            });
            assertThat(failed).isEqualTo(5);
            Thread.sleep(300);
            double blocked = counter("mpsec.xfrm.stat", "netns", c.namespace(), "counter", "XfrmOutPolBlock");
            assertThat(blocked).isEqualTo(5).isEqualTo(xfrmStat(c, "XfrmOutPolBlock"));
            assertThat(counter("mpsec.xfrm.stat", "netns", c.namespace(), "counter", "XfrmOutNoStates"))
                    .isEqualTo(xfrmStat(c, "XfrmOutNoStates"));
            assertThat(mc.xfrmStat().readFailures()).isZero();
            xc.flushPolicies();
        }
    }

    /** Three MP_JOIN SYNs (RFC 8684 section 3.2) from a raw socket, so no MPTCP connection is needed to make them. */
    static final String JOIN_SYNS = String.join("\n",
            "import socket, struct, sys",
            "src, dst = sys.argv[1], sys.argv[2]",
            "def csum(b):",
            "    s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16",
            "    return ~s & 0xffff",
            "opt = bytes([30, 12, 0x10, 0]) + bytes(8)  # kind MPTCP, length 12, subtype MP_JOIN, token, nonce",
            "def seg(c): return struct.pack('!HHIIBBHHH', 40000, 5201, 1, 0, 8 << 4, 0x02, 64240, c, 0) + opt",
            "pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, 6, 32)",
            "pkt = seg(csum(pseudo + seg(0)))",
            "r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)",
            "for i in range(3): r.sendto(pkt, (dst, 0))");

    @Test
    void joinGateDropsMatchNftsOwnCounter() throws Exception {
        Privileged.requireTool("nft", "nftables");
        Privileged.requireTool("python3", "python3");
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        try (NetNamespace ns = NetNamespace.open(s.namespace())) {
            io.mpsec.ipsec.paths.JoinGate gate = io.mpsec.ipsec.paths.JoinGate.install(ns);
            new JoinGateMetrics(s.namespace(), gate).bindTo(reg);
            assertThat(counter("mpsec.joingate.drops", "netns", s.namespace(), "direction", "in")).isZero();
            c.execOk("python3", "-c", JOIN_SYNS, c.address(1).getHostAddress(), s.address(1).getHostAddress());
            String nft = s.execOk("nft", "list", "counter", "inet", "mpsec_gate", "joins_dropped_in").stdout();
            Matcher m = Pattern.compile("packets (\\d+)").matcher(nft);
            assertThat(m.find()).as(nft).isTrue();
            assertThat(Long.parseLong(m.group(1))).isEqualTo(3);
            Thread.sleep(2_100); // the gate is read at most every 2 s
            assertThat(counter("mpsec.joingate.drops", "netns", s.namespace(), "direction", "in")).isEqualTo(3);
            assertThat(counter("mpsec.joingate.drops", "netns", s.namespace(), "direction", "out")).isZero();
            assertThat(reg.get("mpsec.metrics.read.failures").tags("source", "mpsec.joingate.drops").gauge().value())
                    .isZero();
            gate.remove();
        }
    }
}
