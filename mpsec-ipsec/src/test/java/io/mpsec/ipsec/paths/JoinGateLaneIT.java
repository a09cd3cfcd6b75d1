package io.mpsec.ipsec.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.kernel.pm.PmEventListener;
import io.mpsec.pm.PmEvent;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The join gate with real ESP (kernel lane): fail-closed secure paths over paths 1 and 2 on both
 * hosts, the gate installed on both before them. A join over a protected pair passes the gate in both
 * directions (its SYN leaves through an xfrm bundle, arrives with a secpath) and carries data through
 * the path-2 SAs, while the address the server announces on path 3, which no secure path covers, gets
 * no join at all: refused on the client, zero TCP packets on path 3.
 */
@Tag("kernel-lane")
class JoinGateLaneIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(3, 0).mptcpLimits(4, 4).build();
    static final int PORT = 5311;

    @TempDir
    Path dir;
    final Lane lane = new Lane();
    SecurePaths cp;
    SecurePaths sp;

    @AfterEach
    void close() throws IOException {
        try {
            for (SecurePaths p : new SecurePaths[] {cp, sp}) {
                if (p != null) {
                    p.close();
                }
            }
        } finally {
            lane.close();
        }
    }

    Testbed.Host c() {
        return NET.host("c");
    }

    Testbed.Host s() {
        return NET.host("s");
    }

    /** Secure paths between {@code h} and {@code peer} over paths 1 and 2 only. */
    SecurePaths twoPaths(Testbed.Host h, Testbed.Host peer, SecretBytes master, String ledger) throws IOException {
        return SecurePaths.builder().xfrm(lane.client(h)).local(List.of(h.address(1), h.address(2)))
                .remote(List.of(peer.address(1), peer.address(2))).masterKey(master)
                .generations(KeyGenerations.open(dir.resolve(ledger))).failClosed(true).build();
    }

    static long outBytes(XfrmClient x, SecurePaths p, InetAddress source) throws IOException {
        long sum = 0;
        for (PathSa s : p.installedSas().get(p.activeGeneration())) {
            if (s.outbound() && s.sa().source().equals(source)) {
                sum += x.counters(s.id()).bytes();
            }
        }
        return sum;
    }

    @Test
    void joinsOverProtectedPairsPassTheGateAndAnAnnouncedUncoveredAddressGetsNone() throws Exception {
        Privileged.requireTool("nft", "nftables");
        Privileged.requireTool("tcpdump", "tcpdump");
        Privileged.requireTool("python3", "python3");
        Testbed.Host c = c();
        Testbed.Host s = s();
        // the probe (nft --check, commits nothing) must agree with install() on this kernel
        assertThat(JoinGate.unavailabilityCause(lane.ns(c))).as("JoinGate.unavailabilityCause on " + System.getProperty("os.version")).isEmpty();
        JoinGate cg = JoinGate.install(lane.ns(c));
        JoinGate sg = JoinGate.install(lane.ns(s));
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        SecretBytes master = SecretBytes.wrap(k);
        cp = twoPaths(c, s, master, "c.key");
        sp = twoPaths(s, c, master, "s.key");
        cp.apply();
        sp.apply();
        XfrmClient x = lane.client(c);
        assertThat(outBytes(x, cp, c.address(2))).isZero();
        c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
        s.execOk("ip", "mptcp", "endpoint", "add", s.address(3).getHostAddress(), "dev", s.iface(3), "signal");
        List<PmEvent> events = new CopyOnWriteArrayList<>();
        PmEventListener listener = c.call(() -> PmEventListener.open(null));
        try (listener; JoinCapture path2 = JoinCapture.start(c, c.iface(2), dir, "tcp or esp", 90);
                JoinCapture path3 = JoinCapture.start(c, c.iface(3), dir, "tcp or icmp", 90)) {
            // path 3's capture must see something to prove it works: one echo request over it
            s.exec("ping", "-c", "1", "-W", "2", c.address(3).getHostAddress());
            listener.subscribersOnly();
            listener.subscribe(events::add);
            Path script = Lane.peerScript(dir);
            Lane.Peer server = new Lane.Peer(s.startProcess("python3", script.toString(), "server", "0.0.0.0", String.valueOf(PORT)));
            server.await("listening", 90);
            Lane.Peer client = new Lane.Peer(c.startProcess("python3", script.toString(), "client",
                    s.address(1).getHostAddress(), String.valueOf(PORT), "4000000", "stdin"));
            // the client trickles until told to go, so the connection is still open when the server's
            // announcement, the refused join and the protected join happen; then 4 MB at full speed, which
            // fills path 1 and spills onto path 2 (a paced transfer fits in path 1 and leaves path 2 idle)
            client.await("connected", 120);
            JoinGateIT.awaitEvent(events, e -> e instanceof PmEvent.Announced a && a.address().equals(s.address(3)),
                    120_000, "announcement of the uncovered address");
            JoinGateIT.awaitEvent(events, e -> e instanceof PmEvent.SubflowClosed sc && s.address(3).equals(sc.endpoints().remote()),
                    120_000, "refused join to the uncovered address");
            JoinGateIT.awaitEvent(events, e -> e instanceof PmEvent.SubflowEstablished se && c.address(2).equals(se.endpoints().local()),
                    120_000, "protected join over path 2");
            client.say("go");
            String sent = client.await("sent", 300);
            String received = server.await("received", 60);
            Thread.sleep(1000);
            JoinCapture.Counts w2 = path2.stop();
            JoinCapture.Counts w3 = path3.stop();
            long esp2 = outBytes(x, cp, c.address(2));
            long esp1 = outBytes(x, cp, c.address(1));
            JoinGate.Drops cd = cg.drops();
            JoinGate.Drops sd = sg.drops();
            System.out.println("lane evidence: join gate with ESP; " + received + "; ESP bytes out of c: path 1 " + esp1
                    + ", path 2 " + esp2 + "; cleartext on " + c.iface(2) + ": " + w2 + "; on " + c.iface(3) + ": " + w3
                    + "; client gate " + cd + ", server gate " + sd + "; events " + events.stream()
                            .filter(e -> !(e instanceof PmEvent.ListenerCreated || e instanceof PmEvent.ListenerClosed)).toList());

            assertThat(sent).endsWith(" ok");
            assertThat(received.substring("received ".length())).isEqualTo(sent.substring("sent ".length(), sent.length() - 3));
            // trigger: the server announced the uncovered address
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(PmEvent.Announced.class,
                    a -> assertThat(a.address()).isEqualTo(s.address(3))));
            // the uncovered address: refused by the client's gate, nothing on its wire
            assertThat(cd.refusedOutbound()).as("joins the client's gate refused").isPositive();
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(PmEvent.SubflowClosed.class, sc -> {
                assertThat(sc.endpoints().remote()).isEqualTo(s.address(3));
                assertThat(sc.error()).isEqualTo(111);
            }));
            assertThat(w3.dropped()).as("packets the path-3 capture lost").isZero();
            assertThat(w3.tcpPackets()).as("TCP packets on path 3 (uncovered)").isZero();
            assertThat(w3.icmpEchoes()).as("the ping over path 3 (the capture sees it)").isPositive();
            // the protected join: passed both gates, carried data through the path-2 SAs, never in clear
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(PmEvent.SubflowEstablished.class,
                    se -> assertThat(se.endpoints().local()).isEqualTo(c.address(2))));
            assertThat(sd.droppedInbound()).as("joins the server's gate dropped (the protected one arrived with a secpath)").isZero();
            assertThat(esp2).as("ESP bytes of the path-2 SAs").isGreaterThan(50_000);
            assertThat(w2.tcpPackets()).as("cleartext TCP packets on path 2").isZero();
            assertThat(w2.espPackets()).as("ESP packets on path 2 (the capture sees the protected subflow)").isPositive();
            assertThat(w2.dropped()).isZero();
        }
    }
}
