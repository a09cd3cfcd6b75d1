package io.mpsec.ipsec.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer traffic counters on the real kernel (this host has no ESP, so everything between the peers
 * is cleartext here; the ESP branch is {@code PeerTrafficCountersLaneIT}). Host c counts the traffic
 * between its configured addresses (198.18.1.1, 198.18.2.1, 2001:2::1) and the server's (198.18.1.2,
 * 198.18.2.2, 2001:2::2), with c1 listed and c2 not. The server also holds addresses that are not
 * peers (198.18.1.3, 2001:2::3) on the same link: traffic to them is never counted. The witness is
 * tcpdump on c1, its file counted by a python3 script (inspect/pcap_peer_counts.py).
 */
class PeerTrafficCountersIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).build();
    static final int PORT = 5401;

    @TempDir
    Path dir;
    NetNamespace cns;
    ServerSocket server;

    @BeforeEach
    void setUp() throws Exception {
        Privileged.requireTool("nft", "nftables");
        Privileged.requireTool("tcpdump", "tcpdump");
        Privileged.requireTool("python3", "python3");
        Privileged.requireTool("ping", "iputils-ping");
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        c.execOk("ip", "addr", "add", "2001:2::1/64", "dev", c.iface(1), "nodad");
        s.execOk("ip", "addr", "add", "2001:2::2/64", "dev", s.iface(1), "nodad");
        s.execOk("ip", "addr", "add", "2001:2::3/64", "dev", s.iface(1), "nodad");
        s.execOk("ip", "addr", "add", "198.18.1.3/24", "dev", s.iface(1));
        cns = NetNamespace.open(c.namespace());
        server = s.call(() -> new ServerSocket(PORT, 50, InetAddress.getByName("::")));
        Thread t = new Thread(this::serve, "peer-counters-server");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
        if (cns != null) {
            cns.close();
        }
    }

    /** Reads each connection to its end, then answers with 20 kB and closes: traffic in both directions. */
    void serve() {
        while (!server.isClosed()) {
            try (Socket a = server.accept(); InputStream in = a.getInputStream(); OutputStream out = a.getOutputStream()) {
                in.transferTo(OutputStream.nullOutputStream());
                out.write(new byte[20_000]);
            } catch (Exception e) {
                // closed at teardown
            }
        }
    }

    static PeerAddresses peers() throws Exception {
        return PeerAddresses.of(List.of(ip("198.18.1.1"), ip("198.18.2.1"), ip("2001:2::1")),
                List.of(ip("198.18.1.2"), ip("198.18.2.2"), ip("2001:2::2")));
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** Sends {@code bytes} from c to {@code to} and reads the server's answer to its end. */
    void transfer(String to, int bytes) throws Exception {
        Socket so = NET.host("c").call(() -> {
            Socket x = new Socket();
            x.connect(new InetSocketAddress(ip(to), PORT), 5000);
            return x;
        });
        try (so; InputStream in = so.getInputStream(); OutputStream out = so.getOutputStream()) {
            out.write(new byte[bytes]);
            so.shutdownOutput();
            assertThat(in.transferTo(OutputStream.nullOutputStream())).as("answer from " + to).isEqualTo(20_000);
        }
    }

    @Test
    void countsOnlyTrafficBetweenThePeersPerInterfaceAsTcpdumpSeesIt() throws Exception {
        Testbed.Host c = NET.host("c");
        PeerTrafficCounters counters = PeerTrafficCounters.install(cns, peers(), List.of(c.iface(1)));
        PeerTrafficCounters.install(cns, peers(), List.of(c.iface(1))).close(); // again: same table, counters kept
        TrafficWindow window = new TrafficWindow(Duration.ofHours(1));
        try (counters; Tcpdump dump = Tcpdump.start(c, c.iface(1), dir.resolve("c1.pcap"))) {
            window.add(System.nanoTime(), counters.read());
            // traffic to hosts that are not peers, on the very same link: never counted
            transfer("198.18.1.3", 300_000);
            transfer("2001:2::3", 100_000);
            c.execOk("ping", "-c", "2", "-i", "0.2", "-W", "2", "198.18.1.3");
            window.add(System.nanoTime(), counters.read());
            assertThat(window.verdicts()).as("traffic to non-peers leaves the verdict alone")
                    .containsEntry(c.iface(1), TrafficVerdict.UNKNOWN);
            assertThat(counters.read().get(c.iface(1))).isEqualTo(InterfaceTraffic.zero(c.iface(1)));

            transfer("198.18.1.2", 200_000);
            transfer("2001:2::2", 100_000);
            c.execOk("ping", "-c", "3", "-i", "0.2", "-W", "2", "198.18.1.2");
            transfer("198.18.2.2", 50_000); // between peers, over the unlisted c2
            Thread.sleep(300); // the last FIN/ACKs
            Map<String, InterfaceTraffic> now = counters.read();
            window.add(System.nanoTime(), now);
            Map<String, long[]> wire = dump.stopAndCount(List.of("198.18.1.1", "198.18.2.1", "2001:2::1"),
                    List.of("198.18.1.2", "198.18.2.2", "2001:2::2"));

            InterfaceTraffic c1 = now.get(c.iface(1));
            System.out.println("c1 counters: " + c1 + "\ntcpdump on c1: " + fmt(wire));
            assertThat(wire.get("nonpeer")[0]).as("the non-peer traffic is on the wire of c1").isGreaterThan(20);
            assertThat(c1.tcpOut()).as("TCP out on c1 = tcpdump").isEqualTo(count(wire, "tcp_out"));
            assertThat(c1.tcpIn()).as("TCP in on c1 = tcpdump").isEqualTo(count(wire, "tcp_in"));
            assertThat(c1.tcpOut().bytes()).as("at least the payload sent").isGreaterThan(300_000);
            assertThat(c1.otherOut()).as("ICMP echo requests to the peer = tcpdump").isEqualTo(count(wire, "other_out"));
            assertThat(c1.otherOut().packets()).isEqualTo(3);
            assertThat(c1.otherIn()).isEqualTo(count(wire, "other_in"));
            assertThat(c1.otherIn().packets()).isEqualTo(3);
            assertThat(c1.espIn()).isEqualTo(TrafficCount.ZERO);
            assertThat(c1.espOut()).isEqualTo(TrafficCount.ZERO);
            assertThat(wire).doesNotContainKeys("esp_in", "esp_out");
            assertThat(now.get(PeerTrafficCounters.UNLISTED).tcpOut().bytes()).as("peers over the unlisted c2")
                    .isGreaterThan(50_000);
            assertThat(window.verdicts()).containsEntry(c.iface(1), TrafficVerdict.CLEARTEXT)
                    .containsEntry(PeerTrafficCounters.UNLISTED, TrafficVerdict.CLEARTEXT);

            // the same numbers through nft, and in nft's own listing of the table
            assertThat(counters.readWithNft()).isEqualTo(now);
            String listing = c.execOk("nft", "list", "table", "inet", "mpsec_stats").stdout();
            assertThat(PeerCounterRuleset.parseCounters(listing)).containsEntry("tcp_out_" + c.iface(1), c1.tcpOut())
                    .containsEntry("tcp_in_" + c.iface(1), c1.tcpIn()).containsEntry("other_in_" + c.iface(1), c1.otherIn());
            assertThat(listing.split("jump peers_in", -1)).as("one rule per family after two installs").hasSize(3);
            assertThat(listing).doesNotContain("drop").doesNotContain("reject");
        }
    }

    @Test
    void theTableIsOwnedRemovableAndReadingAMissingTableFails() throws Exception {
        Testbed.Host c = NET.host("c");
        try (PeerTrafficCounters counters = PeerTrafficCounters.install(cns, peers(), List.of(c.iface(1), c.iface(2)))) {
            assertThat(counters.installed()).isTrue();
            assertThat(counters.read()).containsOnlyKeys(c.iface(1), c.iface(2), PeerTrafficCounters.UNLISTED);
            assertThat(NET.host("s").execOk("nft", "list", "tables").stdout()).doesNotContain("mpsec_stats");
            // the cost of a read: one netlink dump against a process per read
            int n = 200;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                counters.read();
            }
            long netlinkMicros = (System.nanoTime() - t0) / n / 1000;
            t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                counters.readWithNft();
            }
            long nftMicros = (System.nanoTime() - t0) / 10 / 1000;
            System.out.println("read cost: netlink " + netlinkMicros + " us, nft process " + nftMicros + " us per read");
            assertThat(netlinkMicros).as("netlink read against an nft process").isLessThan(nftMicros);
            // another program's table with a counter of the same name is not read
            c.execOk("nft", "add", "table", "inet", "other");
            c.execOk("nft", "add", "counter", "inet", "other", "tcp_in_" + c.iface(1), "{", "packets", "7", "bytes", "7", "}");
            assertThat(counters.read().get(c.iface(1)).tcpIn()).isEqualTo(TrafficCount.ZERO);
            counters.remove();
            assertThat(c.execOk("nft", "list", "tables").stdout()).doesNotContain("mpsec_stats").contains("other");
            assertThat(counters.installed()).isFalse();
            counters.remove(); // idempotent
            assertThatThrownBy(counters::read).hasMessageContaining("not installed");
        }
    }

    @Test
    void theInspectorSeesCleartextBetweenThePeersAndNothingFromNonPeers() throws Exception {
        Testbed.Host c = NET.host("c");
        CompletableFuture<InspectorVerdict> nonPeer = inspectWhile(c, () -> transfer("198.18.1.3", 200_000));
        InspectorVerdict quiet = nonPeer.get(20, TimeUnit.SECONDS);
        assertThat(quiet.captured()).as("non-peer traffic is filtered out").isZero();
        assertThat(quiet.verdict()).isEqualTo(TrafficVerdict.UNKNOWN);

        InspectorVerdict v = inspectWhile(c, () -> transfer("198.18.1.2", 200_000)).get(20, TimeUnit.SECONDS);
        System.out.println("inspector on c1: " + v);
        assertThat(v.cleartextTcp()).isPositive();
        assertThat(v.esp()).isZero();
        assertThat(v.verdict()).isEqualTo(TrafficVerdict.CLEARTEXT);
    }

    interface Traffic {
        void run() throws Exception;
    }

    /** Starts the inspector (20 packets or 2 s), runs the traffic once it listens, returns its verdict. */
    CompletableFuture<InspectorVerdict> inspectWhile(Testbed.Host c, Traffic traffic) throws Exception {
        CompletableFuture<InspectorVerdict> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(PeerInspector.inspect(cns, c.iface(1), peers(), 20, Duration.ofSeconds(2)));
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        }, "peer-inspector");
        t.setDaemon(true);
        t.start();
        Thread.sleep(300); // the capture opens
        traffic.run();
        return f;
    }

    static TrafficCount count(Map<String, long[]> wire, String key) {
        long[] v = wire.getOrDefault(key, new long[2]);
        return new TrafficCount(v[0], v[1]);
    }

    static String fmt(Map<String, long[]> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(k).append('=').append(v[0]).append('/').append(v[1]).append(' '));
        return b.toString();
    }

    /** tcpdump writing every IP packet of one interface to a file (the independent witness). */
    static final class Tcpdump implements AutoCloseable {
        private final Process p;
        private final Path file;
        private final StringBuilder err = new StringBuilder();
        private final CountDownLatch listening = new CountDownLatch(1);
        private final Thread t;

        private Tcpdump(Process p, Path file) {
            this.p = p;
            this.file = file;
            t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        synchronized (err) {
                            err.append(l).append('\n');
                        }
                        if (l.contains("listening on")) {
                            listening.countDown();
                        }
                    }
                } catch (Exception e) {
                    // process ended
                }
            }, "tcpdump-stderr");
            t.setDaemon(true);
            t.start();
        }

        static Tcpdump start(Testbed.Host h, String iface, Path file) throws Exception {
            Tcpdump d = new Tcpdump(h.startProcess("tcpdump", "-i", iface, "-nn", "-U", "--immediate-mode", "-s", "128", "-B", "8192",
                    "-w", file.toString(), "ip or ip6"), file);
            if (!d.listening.await(30, TimeUnit.SECONDS)) {
                d.close();
                throw new AssertionError("tcpdump did not start: " + d.err);
            }
            return d;
        }

        /** Stops tcpdump, checks it lost nothing, and counts the file with the python3 script. */
        Map<String, long[]> stopAndCount(List<String> local, List<String> remote) throws Exception {
            Thread.sleep(300); // the last packets reach the file
            // SIGINT: tcpdump flushes and prints its statistics (on SIGTERM it sometimes exits silently);
            // 'ip netns exec' execs tcpdump, so the process is tcpdump itself
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            t.join(5_000); // its statistics, to the end of stderr
            String stats;
            synchronized (err) {
                stats = err.toString();
            }
            java.util.regex.Matcher st = java.util.regex.Pattern.compile("(?m)^(\\d+) packets captured\\n(\\d+) packets received by filter\\n(\\d+) packets dropped by kernel").matcher(stats);
            assertThat(st.find()).as("tcpdump's statistics: " + stats).isTrue();
            assertThat(st.group(3)).as("packets tcpdump lost: " + stats).isEqualTo("0");
            assertThat(st.group(1)).as("every packet the filter took is in the file: " + stats).isEqualTo(st.group(2));
            Path script = file.resolveSibling("pcap_peer_counts.py");
            try (InputStream in = PeerTrafficCountersIT.class.getResourceAsStream("/inspect/pcap_peer_counts.py")) {
                Files.copy(in, script);
            }
            Process py = new ProcessBuilder("python3", script.toString(), file.toString(), String.join(",", local),
                    String.join(",", remote)).redirectErrorStream(true).start();
            String out = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(py.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(py.exitValue()).as(out).isZero();
            Map<String, long[]> m = new HashMap<>();
            for (String l : out.strip().split("\n")) {
                String[] f = l.split(" ");
                if (f.length == 3) {
                    m.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                }
            }
            return m;
        }

        @Override
        public void close() {
            p.destroyForcibly();
        }
    }
}
