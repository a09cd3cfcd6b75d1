package io.mpsec.ipsec.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.paths.SecurePaths;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer traffic counters with real ESP (kernel lane): fail-closed secure paths between c and s on
 * path 1, a TCP transfer both ways. On c1 the ESP counters equal the packet counts of the SAs in
 * {@code ip -s xfrm state} (out: c to s, in: s to c), no cleartext is counted (the decrypted packets
 * carry a secpath, the ones on their way into xfrm an xfrm route), the verdict is ESP, and the
 * inspector's capture classifies the packets between the peers as ESP.
 */
@Tag("kernel-lane")
class PeerTrafficCountersLaneIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();
    static final int PORT = 5402;
    static final Pattern CURRENT = Pattern.compile("lifetime current:\\s+(\\d+)\\(bytes\\), (\\d+)\\(packets\\)");

    @TempDir
    Path dir;

    /** Packets of every SA from {@code src} to {@code dst} in {@code h}'s {@code ip -s xfrm state} (keys not printed). */
    static long xfrmPackets(Testbed.Host h, InetAddress src, InetAddress dst) {
        long sum = 0;
        String out = h.execOk("ip", "-s", "xfrm", "state", "list", "nokeys").stdout();
        for (String block : out.split("(?m)^(?=src )")) {
            if (block.startsWith("src " + src.getHostAddress() + " dst " + dst.getHostAddress() + "\n")) {
                Matcher m = CURRENT.matcher(block);
                assertThat(m.find()).as("lifetime current in " + block.lines().findFirst().orElse("")).isTrue();
                sum += Long.parseLong(m.group(2));
            }
        }
        return sum;
    }

    SecurePaths paths(XfrmClient x, Testbed.Host h, Testbed.Host peer, SecretBytes master, String ledger) throws Exception {
        return SecurePaths.builder().xfrm(x).local(List.of(h.address(1))).remote(List.of(peer.address(1))).masterKey(master)
                .generations(KeyGenerations.open(dir.resolve(ledger))).failClosed(true).build();
    }

    @Test
    void espBetweenThePeersIsCountedAsEspAndMatchesTheSas() throws Exception {
        Privileged.requireTool("nft", "nftables");
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        SecretBytes master = SecretBytes.wrap(k);
        PeerAddresses peers = PeerAddresses.of(List.of(c.address(1)), List.of(s.address(1)));
        try (NetNamespace cns = NetNamespace.open(c.namespace()); NetNamespace sns = NetNamespace.open(s.namespace());
                XfrmClient xc = XfrmClient.open(cns); XfrmClient xs = XfrmClient.open(sns);
                PeerTrafficCounters counters = PeerTrafficCounters.install(cns, peers, List.of(c.iface(1)))) {
            SecurePaths cp = paths(xc, c, s, master, "c.key");
            SecurePaths sp = paths(xs, s, c, master, "s.key");
            try {
                cp.apply();
                sp.apply();
                TrafficWindow window = new TrafficWindow(Duration.ofHours(1));
                window.add(System.nanoTime(), counters.read());
                long t0 = System.nanoTime();
                // own threads: the common pool has one thread on a 2-CPU guest, and both tasks block
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
                    Thread t = new Thread(r, "lane-peer-counters");
                    t.setDaemon(true);
                    return t;
                });
                ServerSocket server = s.call(() -> new ServerSocket(PORT, 5, s.address(1)));
                CompletableFuture<Long> served = CompletableFuture.supplyAsync(() -> {
                    try (server; Socket a = server.accept(); InputStream in = a.getInputStream(); OutputStream out = a.getOutputStream()) {
                        long n = in.transferTo(OutputStream.nullOutputStream());
                        out.write(new byte[50_000]);
                        return n;
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, pool);
                CompletableFuture<InspectorVerdict> inspected = CompletableFuture.supplyAsync(() -> {
                    try {
                        return PeerInspector.inspect(cns, c.iface(1), peers, 20, Duration.ofSeconds(30));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, pool);
                Thread.sleep(2000); // the capture opens (slow under emulation)
                Socket so = c.call(() -> {
                    Socket x = new Socket();
                    x.connect(new InetSocketAddress(s.address(1), PORT), 30_000);
                    return x;
                });
                so.setSoTimeout(60_000);
                try (so; InputStream in = so.getInputStream(); OutputStream out = so.getOutputStream()) {
                    out.write(new byte[500_000]);
                    so.shutdownOutput();
                    assertThat(in.transferTo(OutputStream.nullOutputStream())).isEqualTo(50_000);
                }
                assertThat(served.get(60, TimeUnit.SECONDS)).isEqualTo(500_000);
                long transferMillis = (System.nanoTime() - t0) / 1_000_000;
                InspectorVerdict iv = inspected.get(60, TimeUnit.SECONDS);
                pool.shutdown();
                Thread.sleep(1000); // the last FIN/ACKs
                Map<String, InterfaceTraffic> now = counters.read();
                window.add(System.nanoTime(), now);
                InterfaceTraffic c1 = now.get(c.iface(1));
                long saOut = xfrmPackets(c, c.address(1), s.address(1));
                long saIn = xfrmPackets(c, s.address(1), c.address(1));
                System.out.println("lane evidence: c1 " + c1 + "; xfrm state packets out " + saOut + ", in " + saIn
                        + "; inspector " + iv + "; verdicts " + window.verdicts() + "; transfer phase " + transferMillis + " ms");

                assertThat(c1.espOut().packets()).as("ESP out on c1 = packets of the c->s SAs").isEqualTo(saOut).isPositive();
                assertThat(c1.espIn().packets()).as("ESP in on c1 = packets of the s->c SAs").isEqualTo(saIn).isPositive();
                assertThat(c1.espOut().bytes()).as("ESP bytes carry the 500 kB").isGreaterThan(500_000);
                assertThat(c1.tcpIn()).as("decrypted TCP is not cleartext").isEqualTo(TrafficCount.ZERO);
                assertThat(c1.tcpOut()).as("TCP on its way into xfrm is not cleartext").isEqualTo(TrafficCount.ZERO);
                assertThat(c1.otherIn()).isEqualTo(TrafficCount.ZERO);
                assertThat(c1.otherOut()).isEqualTo(TrafficCount.ZERO);
                assertThat(window.verdicts()).containsEntry(c.iface(1), TrafficVerdict.ESP);
                assertThat(iv.esp()).as("the inspector saw ESP").isPositive();
                assertThat(iv.cleartextTcp()).isZero();
                assertThat(iv.verdict()).isEqualTo(TrafficVerdict.ESP);
            } finally {
                cp.close();
                sp.close();
            }
        }
    }
}
