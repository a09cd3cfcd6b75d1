package io.mpsec.ipsec.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.inspect.WireInspector;
import io.mpsec.ipsec.inspect.WireReport;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.xfrm.InstalledSa;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.ipsec.xfrm.XfrmEvent;
import io.mpsec.ipsec.xfrm.XfrmEvents;
import io.mpsec.testbed.Testbed;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ESP end to end with SAs and policies installed by the Java binding. Runs only in the kernel lane
 * (a Debian kernel with esp4/esp6 under qemu, about 9x slower than the host): generous timeouts,
 * connect retries, transfers of a few MB. Two hosts c and s joined by two paths.
 */
@Tag("kernel-lane")
class SecurePathsLaneIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).mptcpLimits(4, 4).build();
    static final byte[] MARKER = "MPSEC-PLAINTEXT-MARKER-5e1d".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;
    final Lane lane = new Lane();
    final SecretBytes master = randomKey();
    SecurePaths cp;
    SecurePaths sp;

    static SecretBytes randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return SecretBytes.wrap(k);
    }

    final List<KeyGenerations> ledgers = new java.util.ArrayList<>();

    @AfterEach
    void close() {
        lane.close();
        ledgers.forEach(KeyGenerations::close);
    }

    Testbed.Host c() {
        return NET.host("c");
    }

    Testbed.Host s() {
        return NET.host("s");
    }

    void applyBoth(boolean failClosed, Lifetime lifetime) throws IOException {
        ledgers.add(KeyGenerations.open(dir.resolve("c.key")));
        ledgers.add(KeyGenerations.open(dir.resolve("s.key")));
        cp = lane.paths(NET, c(), s(), master, ledgers.get(0), failClosed, lifetime);
        sp = lane.paths(NET, s(), c(), master, ledgers.get(1), failClosed, lifetime);
        cp.apply();
        sp.apply();
    }

    static long outBytes(XfrmClient x, SecurePaths p, long gen, InetAddress source) throws IOException {
        long sum = 0;
        for (PathSa s : p.installedSas().get(gen)) {
            if (s.outbound() && s.sa().source().equals(source)) {
                sum += x.counters(s.id()).bytes();
            }
        }
        return sum;
    }

    /** A generation's SAs with lifetimes normalised (inbound SAs installed ahead live longer). */
    static Set<SecurityAssociation> normalised(SecurePaths p, long gen) {
        return p.installedSas().getOrDefault(gen, List.of()).stream()
                .map(s -> s.sa().toBuilder().lifetime(SecurePaths.defaultLifetime(true)).build()).collect(Collectors.toSet());
    }

    static long bytes(XfrmClient x, SecurePaths p, long gen, boolean outbound) throws IOException {
        long sum = 0;
        for (PathSa s : p.installedSas().getOrDefault(gen, List.of())) {
            if (s.outbound() == outbound) {
                sum += x.getSa(s.id()).map(i -> i.counters().bytes()).orElse(0L);
            }
        }
        return sum;
    }

    @Test
    void sasInstalledByJavaShowInIpXfrmStateWithAlgorithmSpiAndMode() throws Exception {
        applyBoth(true, null);
        String st = Lane.state(c());
        List<PathSa> sas = cp.installedSas().get(1L);
        assertThat(sas).hasSize(8); // 2 x 2 address pairs, both directions
        for (PathSa s : sas) {
            long spi = s.sa().spi();
            long reqid = s.sa().reqid();
            assertThat(st).contains("src " + s.sa().source().getHostAddress() + " dst " + s.sa().destination().getHostAddress()
                    + "\n\tproto esp spi " + String.format("0x%08x(%d) reqid %d(0x%08x) mode transport", spi, spi, reqid, reqid));
        }
        // plus the inbound SAs of generations 2 and 3, installed ahead (2 x 2 pairs each)
        assertThat(cp.installedSas()).containsOnlyKeys(1L, 2L, 3L);
        assertThat(st.split("proto esp", -1)).hasSize(8 + 4 + 4 + 1);
        assertThat(st).contains("rfc4106(gcm(aes))").contains("esn").doesNotContain("proto esp spi 0x00000000");
        // the kernel reports back exactly what was installed (keys included, compared without printing)
        XfrmClient x = lane.client(c());
        Set<SecurityAssociation> fromKernel = x.dumpSas().stream().map(InstalledSa::sa).collect(Collectors.toSet());
        Set<SecurityAssociation> all = cp.installedSas().values().stream().flatMap(List::stream).map(PathSa::sa)
                .collect(Collectors.toSet());
        assertThat(fromKernel.equals(all)).as("SAs dumped from the kernel equal the installed ones").isTrue();
        assertThat(fromKernel).allSatisfy(sa -> assertThat(sa.algorithm()).isInstanceOf(SaAlgorithm.Aead.class));
        // both hosts derived the same SAs
        assertThat(normalised(sp, 1).equals(normalised(cp, 1))).isTrue();
    }

    @Test
    void tcpBetweenTwoNamespacesIsEspOnTheWire() throws Exception {
        applyBoth(true, null);
        byte[] data = new byte[1_000_000];
        new Random(1).nextBytes(data);
        for (int i = 0; i + MARKER.length < data.length; i += 997) {
            System.arraycopy(MARKER, 0, data, i, MARKER.length);
        }
        XfrmClient x = lane.client(c());
        WireReport r;
        try (WireInspector insp = WireInspector.start(lane.ns(s()), s().iface(1), MARKER)) {
            assertThat(Lane.tcpTransfer(c(), s(), s().address(1), 5001, data)).isEqualTo(Lane.sha256(data));
            Thread.sleep(1000);
            r = insp.stop();
        }
        System.out.println("lane evidence: TCP 1 MB c->s over ESP, capture on " + s().iface(1) + ": " + r);
        assertThat(r.espPackets()).as("ESP packets on %s", s().iface(1)).isGreaterThan(100);
        assertThat(r.cleartextTcpPackets()).as("cleartext TCP packets").isZero();
        assertThat(r.markerFound()).as("plaintext marker on the wire").isFalse();
        assertThat(outBytes(x, cp, 1, c().address(1))).isGreaterThan(data.length);
    }

    @Test
    void mptcpOverTwoEspPathsArrivesIntactAndBothPathsSasCount() throws Exception {
        applyBoth(true, null);
        Path script = Lane.peerScript(dir);
        c().execOk("ip", "mptcp", "endpoint", "add", c().address(2).getHostAddress(), "dev", c().iface(2), "subflow");
        XfrmClient x = lane.client(c());
        assertThat(outBytes(x, cp, 1, c().address(2))).isZero();
        Lane.Peer server = new Lane.Peer(s().startProcess("python3", script.toString(), "server", s().address(1).getHostAddress(), "5002"));
        server.await("listening", 90);
        Lane.Peer client = new Lane.Peer(c().startProcess("python3", script.toString(), "client",
                s().address(1).getHostAddress(), "5002", "4000000", "0"));
        String sent = client.await("sent", 300);
        String received = server.await("received", 60);
        assertThat(sent).endsWith(" ok");
        assertThat(received.substring("received ".length())).isEqualTo(sent.substring("sent ".length(), sent.length() - 3));
        long path1 = outBytes(x, cp, 1, c().address(1));
        long path2 = outBytes(x, cp, 1, c().address(2));
        System.out.println("lane evidence: MPTCP 4 MB intact (" + received + "); ESP bytes out of c: path 1 " + path1
                + ", path 2 " + path2);
        assertThat(path1).as("ESP bytes of the path-1 SAs").isGreaterThan(50_000);
        assertThat(path2).as("ESP bytes of the path-2 SAs (second subflow)").isGreaterThan(50_000);
        assertThat(path1 + path2).isGreaterThan(4_000_000);
    }

    @Test
    void rekeyDuringAnMptcpTransferLosesNothingWhenTheHostsRekeySecondsApart() throws Exception {
        applyBoth(true, null);
        Path script = Lane.peerScript(dir);
        c().execOk("ip", "mptcp", "endpoint", "add", c().address(2).getHostAddress(), "dev", c().iface(2), "subflow");
        XfrmClient xc = lane.client(c());
        XfrmClient xs = lane.client(s());
        Lane.Peer server = new Lane.Peer(s().startProcess("python3", script.toString(), "server", s().address(1).getHostAddress(), "5003"));
        server.await("listening", 90);
        Lane.Peer client = new Lane.Peer(c().startProcess("python3", script.toString(), "client",
                s().address(1).getHostAddress(), "5003", "4000000", "16"));
        client.await("connected", 120);
        Thread.sleep(2000);
        Set<Long> gen1 = cp.installedSas().get(1L).stream().map(s -> s.sa().spi()).collect(Collectors.toSet());
        // only c rekeys: c sends on generation 2, s still sends on 1 and accepts 2 (installed ahead)
        assertThat(cp.rekeyOutbound()).isEqualTo(2);
        long sOut1AtSwitch = bytes(xs, sp, 1, true);
        Thread.sleep(5000);
        long cOut2 = bytes(xc, cp, 2, true);
        long sIn2 = bytes(xs, sp, 2, false);
        long sOut1 = bytes(xs, sp, 1, true);
        assertThat(sp.activeGeneration()).isEqualTo(1);
        // then s, seconds later
        assertThat(sp.rekeyOutbound()).isEqualTo(2);
        // both retire generation 1 once its inbound SAs stayed idle for 1.5 s
        long deadline = System.nanoTime() + 120_000_000_000L;
        while ((cp.installedSas().containsKey(1L) || sp.installedSas().containsKey(1L)) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            cp.maintain(1500);
            sp.maintain(1500);
        }
        String sent = client.await("sent", 300);
        String received = server.await("received", 60);
        long g2 = bytes(xc, cp, 2, true);
        System.out.println("lane evidence: staggered rekey 1->2 during MPTCP transfer, intact (" + received + "); 5 s after c "
                + "switched: c out gen 2 " + cOut2 + " B, s in gen 2 " + sIn2 + " B, s out gen 1 " + sOut1AtSwitch + " -> " + sOut1
                + " B; at the end c out gen 2 " + g2 + " B");
        assertThat(sent).endsWith(" ok");
        assertThat(received.substring("received ".length())).isEqualTo(sent.substring("sent ".length(), sent.length() - 3));
        assertThat(cOut2).as("c sent on generation 2 while s was still on 1").isPositive();
        assertThat(sIn2).as("s received generation 2 before its own rekey").isPositive();
        assertThat(sOut1).as("s kept sending (ACKs) on generation 1 meanwhile").isGreaterThan(sOut1AtSwitch);
        assertThat(g2).as("bytes through generation-2 SAs").isGreaterThan(100_000);
        assertThat(cp.installedSas()).doesNotContainKey(1L);
        assertThat(sp.installedSas()).doesNotContainKey(1L);
        String st = Lane.state(c());
        for (long spi : gen1) {
            assertThat(st).doesNotContain(String.format("spi 0x%08x", spi));
        }
    }

    @Test
    void failClosedWithAMissingSaSendsZeroCleartextPackets() throws Exception {
        applyBoth(true, null);
        XfrmClient x = lane.client(c());
        PathSa missing = cp.installedSas().get(1L).stream()
                .filter(s -> s.outbound() && s.sa().source().equals(c().address(1)) && s.sa().destination().equals(s().address(1)))
                .findFirst().orElseThrow();
        x.deleteSa(missing.id());
        try (XfrmEvents events = x.subscribe();
                WireInspector insp = WireInspector.start(lane.ns(c()), c().iface(1), MARKER)) {
            java.net.ServerSocket server = s().call(() -> new java.net.ServerSocket(5004, 5, s().address(1)));
            try (server) {
                assertThatThrownBy(() -> c().call(() -> {
                    try (java.net.Socket so = new java.net.Socket()) {
                        so.connect(new java.net.InetSocketAddress(s().address(1), 5004), 4000);
                        so.getOutputStream().write(MARKER);
                    }
                    return null;
                })).isInstanceOf(IOException.class);
                c().call(() -> {
                    try (DatagramSocket d = new DatagramSocket(new java.net.InetSocketAddress(c().address(1), 0))) {
                        for (int i = 0; i < 5; i++) {
                            try {
                                d.send(new DatagramPacket(MARKER, MARKER.length, s().address(1), 5005));
                            } catch (IOException blocked) {
                                // the kernel may refuse at once; either way nothing may leave in clear
                            }
                        }
                    }
                    return null;
                });
            }
            XfrmEvent e = events.next(15_000);
            // positive control: s -> c still works (s's SA is intact), so ESP must show up in this capture
            s().call(() -> {
                try (DatagramSocket d = new DatagramSocket(new java.net.InetSocketAddress(s().address(1), 0))) {
                    for (int i = 0; i < 5; i++) {
                        d.send(new DatagramPacket(new byte[64], 64, c().address(1), 5007));
                    }
                }
                return null;
            });
            Thread.sleep(2000);
            WireReport r = insp.stop();
            System.out.println("lane evidence: fail-closed, SA c1->s1 deleted, capture on " + c().iface(1) + ": " + r + ", event " + e);
            assertThat(r.droppedPackets()).as("packets the capture lost").isZero();
            assertThat(r.espPackets()).as("positive control: ESP from s captured on the same interface").isPositive();
            assertThat(r.cleartextTcpPackets()).as("cleartext TCP packets with the SA missing").isZero();
            assertThat(r.markerFound()).as("marker on the wire").isFalse();
            assertThat(e).as("ACQUIRE for the missing SA").isInstanceOf(XfrmEvent.Acquire.class);
            assertThat(((XfrmEvent.Acquire) e).destination()).isEqualTo(s().address(1));
        }
        // the other path is untouched and still encrypted
        byte[] data = new byte[200_000];
        new Random(3).nextBytes(data);
        assertThat(Lane.tcpTransfer(c(), s(), s().address(2), 5006, data)).isEqualTo(Lane.sha256(data));
    }

    @Test
    void softExpireTriggersAnAutomaticRekeyThatBothHostsDeriveAlike() throws Exception {
        Lifetime shortLived = new Lifetime(0, 0, 0, 0, 6, 300);
        applyBoth(true, shortLived);
        BlockingQueue<Long> cGen = new LinkedBlockingQueue<>();
        BlockingQueue<Long> sGen = new LinkedBlockingQueue<>();
        BlockingQueue<Set<SecurityAssociation>> cSas = new LinkedBlockingQueue<>();
        BlockingQueue<Set<SecurityAssociation>> sSas = new LinkedBlockingQueue<>();
        try (AutoRekey ca = new AutoRekey(cp, lane.client(c()).subscribe(), 500, g -> {
            cSas.add(normalised(cp, g));
            cGen.add(g);
        }); AutoRekey sa = new AutoRekey(sp, lane.client(s()).subscribe(), 500, g -> {
            sSas.add(normalised(sp, g));
            sGen.add(g);
        })) {
            assertThat(cGen.poll(90, TimeUnit.SECONDS)).as("c rekeyed on soft expire").isEqualTo(2L);
            assertThat(sGen.poll(90, TimeUnit.SECONDS)).as("s rekeyed on soft expire").isEqualTo(2L);
        }
        Set<SecurityAssociation> c2 = cSas.poll();
        Set<SecurityAssociation> s2 = sSas.poll();
        assertThat(c2).hasSize(8);
        assertThat(c2.equals(s2)).as("both hosts derived the same generation-2 SAs").isTrue();
        assertThat(Lane.state(c())).contains(String.format("reqid %d(", SecurePaths.reqid(2)));
        // no traffic arrived on generation 2, so nothing proves the peer moved on: generation 1 stays
        Map<Long, List<PathSa>> left = cp.installedSas();
        assertThat(left).containsKey(1L);
    }
}
