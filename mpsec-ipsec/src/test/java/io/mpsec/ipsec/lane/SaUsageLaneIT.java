package io.mpsec.ipsec.lane;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.Mode;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.Template;
import io.mpsec.ipsec.keys.DerivedSa;
import io.mpsec.ipsec.keys.SaKeyDerivation;
import io.mpsec.ipsec.xfrm.SaUsage;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.ipsec.xfrm.XfrmStat;
import io.mpsec.ipsec.xfrm.msg.GetAe;
import io.mpsec.ipsec.xfrm.msg.GetSa;
import io.mpsec.ipsec.xfrm.msg.SaId;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Testbed;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * In the kernel lane (ESP): SAs derived with derivation v2 carry traffic; GETAE reports the same bytes
 * and packets as {@code ip -s xfrm state} on both ends, its answer never contains the key (GETSA's
 * does: the positive control), the sender's generation is read back from the SPI, and a missing inbound
 * SA raises the receiver's XfrmInNoStates in /proc/net/xfrm_stat.
 */
@Tag("kernel-lane")
class SaUsageLaneIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();
    static final Pattern CURRENT = Pattern.compile("lifetime current:\\s+(\\d+)\\(bytes\\), (\\d+)\\(packets\\)");
    static final int DATAGRAMS = 50;
    static final int SIZE = 1000;

    /** {bytes, packets} of the SA with {@code spi} in {@code ip -s xfrm state list nokeys}. */
    static long[] ipCounters(Testbed.Host h, long spi) {
        String out = h.execOk("ip", "-s", "xfrm", "state", "list", "nokeys").stdout();
        for (String block : out.split("(?m)^(?=src )")) {
            if (block.contains(String.format("spi 0x%08x(", spi))) {
                Matcher m = CURRENT.matcher(block);
                assertThat(m.find()).as("lifetime current of spi 0x%08x", spi).isTrue();
                return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
            }
        }
        throw new AssertionError(String.format("no SA with spi 0x%08x", spi));
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static SecurityAssociation sa(DerivedSa d) {
        return SecurityAssociation.builder().source(d.source()).destination(d.destination()).spi(d.spi()).reqid(d.generation())
                .mode(Mode.TRANSPORT).algorithm(SaAlgorithm.aesGcm(SecretBytes.copyOf(d.key().copy()))).build();
    }

    static void send(Testbed.Host from, Testbed.Host to, int count) throws Exception {
        from.call(() -> {
            try (DatagramSocket tx = new DatagramSocket()) {
                for (int i = 0; i < count; i++) {
                    tx.send(new DatagramPacket(new byte[SIZE], SIZE, new InetSocketAddress(to.address(1), 9000)));
                }
            }
            return null;
        });
    }

    @Test
    void getAeCountsWhatIproute2CountsWithoutEverCarryingTheKey() throws Exception {
        io.mpsec.testbed.Privileged.require();
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        byte[] master = new byte[32];
        new java.util.Random(11).nextBytes(master);
        SaKeyDerivation kd = new SaKeyDerivation(SecretBytes.wrap(master), 128);
        SaKeyDerivation.Flow cs = new SaKeyDerivation.Flow(c.address(1), s.address(1));
        SaKeyDerivation.Flow sc = new SaKeyDerivation.Flow(s.address(1), c.address(1));
        long gen = 4242;
        Map<SaKeyDerivation.Flow, DerivedSa> derived = kd.deriveAll(gen, List.of(cs, sc));
        DerivedSa out = derived.get(cs);
        try (NetNamespace nc = NetNamespace.open(c.namespace()); NetNamespace ns = NetNamespace.open(s.namespace());
                XfrmClient xc = XfrmClient.open(nc); XfrmClient xs = XfrmClient.open(ns);
                NetlinkConnection raw = NetlinkConnection.open(Xfrm.NETLINK_XFRM, ns)) {
            for (XfrmClient x : List.of(xc, xs)) {
                x.addSa(sa(derived.get(cs)));
                x.addSa(sa(derived.get(sc)));
            }
            xc.addPolicy(SecurityPolicy.builder().selector(Selector.hosts(c.address(1), s.address(1))).direction(Direction.OUT)
                    .template(new Template(c.address(1), s.address(1), 0, gen, Mode.TRANSPORT, true)).build());
            xs.addPolicy(SecurityPolicy.builder().selector(Selector.hosts(c.address(1), s.address(1))).direction(Direction.IN)
                    .template(new Template(c.address(1), s.address(1), 0, 0, Mode.TRANSPORT, true)).build());
            DatagramSocket rx = s.call(() -> new DatagramSocket(new InetSocketAddress(s.address(1), 9000)));
            rx.setSoTimeout(10_000);
            int got = 0;
            try {
                send(c, s, 1); // resolves the neighbour first, so no datagram waits in (or overflows) its queue
                rx.receive(new DatagramPacket(new byte[2048], 2048));
                send(c, s, DATAGRAMS - 1);
                for (got = 1; got < DATAGRAMS; got++) {
                    rx.receive(new DatagramPacket(new byte[2048], 2048));
                }
            } catch (java.net.SocketTimeoutException e) {
                // counted below
            } finally {
                rx.close();
            }
            assertThat(got).as("datagrams received over ESP").isEqualTo(DATAGRAMS);
            SaId id = new SaId(out.source(), out.destination(), out.spi());
            SaUsage sent = xc.usage(id).orElseThrow();
            SaUsage verified = xs.usage(id).orElseThrow();
            assertThat(sent.packets()).isEqualTo(DATAGRAMS);
            assertThat(verified.packets()).isEqualTo(DATAGRAMS);
            assertThat(sent.bytes()).isGreaterThanOrEqualTo((long) DATAGRAMS * SIZE);
            assertThat(sent.useTime()).isPositive();
            assertThat(new long[] {sent.bytes(), sent.packets()}).isEqualTo(ipCounters(c, out.spi()));
            assertThat(new long[] {verified.bytes(), verified.packets()}).isEqualTo(ipCounters(s, out.spi()));
            assertThat(SaKeyDerivation.generationOfSpi(out.spi())).as("the sender's generation, from the SPI").isEqualTo(gen);
            // the key is in GETSA's answer (positive control) and never in GETAE's
            byte[] key = out.key().copy();
            NetlinkMessage getsa = raw.requestOne("GETSA", GetSa.encode(id));
            NetlinkMessage getae = raw.requestOne("GETAE", GetAe.encode(id));
            assertThat(contains(getsa.payload(), key)).as("GETSA carries the key").isTrue();
            assertThat(contains(getae.payload(), key)).as("GETAE never does").isFalse();
            getsa.wipe();
            java.util.Arrays.fill(key, (byte) 0);
            // a missing inbound SA: the receiver counts XfrmInNoStates
            XfrmStat before = XfrmStat.read(ns);
            xs.deleteSa(id);
            send(c, s, 5);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (XfrmStat.read(ns).inNoStates() - before.inNoStates() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(XfrmStat.read(ns).inNoStates() - before.inNoStates()).isEqualTo(5);
            System.out.printf("SaUsageLaneIT: spi 0x%08x (generation %d) sent %d bytes in %d packets; GETAE = ip -s xfrm"
                    + " state on both ends; XfrmInNoStates +5 after the inbound SA was removed%n", out.spi(), gen,
                    sent.bytes(), sent.packets());
        }
    }
}
