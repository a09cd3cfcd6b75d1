package io.mpsec.ipsec.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.PmEventListener;
import io.mpsec.pm.PmEvent;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The join gate on the real kernel, two hosts, path 1 carrying the connection and path 2 the pair no
 * IPsec covers (this host has no ESP, so no pair is protected here: the protected branch is proven in
 * {@code JoinGateLaneIT}). Each scenario runs with the gate off (positive control: the join happens in
 * clear) and on; the wire is watched by tcpdump on the path-2 interface, the trigger by the kernel's
 * path-manager events, and the transfer is checked end to end by SHA-256.
 */
class JoinGateIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 20).mptcpLimits(4, 4).build();
    static final int PORT = 5301;
    /** 6 MB in 4 s (48 Mbit/s) over 20 Mbit/s paths: path 1 is full, so a second subflow carries data. */
    static final int BYTES = 6_000_000;

    @TempDir
    Path dir;
    final List<AutoCloseable> open = new ArrayList<>();

    enum Trigger {
        ANNOUNCED_ADDRESS,
        NEW_LOCAL_ADDRESS,
        /** A new local address whose pair already has a {@code level required} policy but no SA yet. */
        NEW_LOCAL_ADDRESS_POLICY_WITHOUT_SA
    }

    record Run(List<PmEvent> events, long bytesBeforeTrigger, JoinCapture.Counts wire, String sent, String received,
            JoinGate.Drops clientGate, JoinGate.Drops serverGate, long xfrmOutNoStates) {
        boolean subflowEstablishedOn(InetAddress local, InetAddress remote) {
            return events.stream().anyMatch(e -> e instanceof PmEvent.SubflowEstablished s
                    && (local == null || local.equals(s.endpoints().local())) && (remote == null || remote.equals(s.endpoints().remote())));
        }

        boolean refusedOn(InetAddress local, InetAddress remote) {
            return events.stream().anyMatch(e -> e instanceof PmEvent.SubflowClosed s && s.error() == 111
                    && (local == null || local.equals(s.endpoints().local())) && (remote == null || remote.equals(s.endpoints().remote())));
        }
    }

    @BeforeEach
    void tools() {
        Privileged.requireTool("nft", "nftables");
        Privileged.requireTool("tcpdump", "tcpdump");
        Privileged.requireTool("python3", "python3");
    }

    @AfterEach
    void closeAll() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // the testbed deletes the namespaces anyway
            }
        }
    }

    Testbed.Host c() {
        return NET.host("c");
    }

    Testbed.Host s() {
        return NET.host("s");
    }

    NetNamespace ns(Testbed.Host h) throws Exception {
        NetNamespace ns = NetNamespace.open(h.namespace());
        open.add(ns);
        return ns;
    }

    JoinGate gate(Testbed.Host h) throws Exception {
        return JoinGate.install(ns(h));
    }

    @Test
    void theGateIsOneTableThatInstallsIdempotentlyAndIsRemoved() throws Exception {
        JoinGate g = gate(c());
        JoinGate.install(ns(c())); // again: same table, same two rules
        String ruleset = c().execOk("nft", "list", "ruleset").stdout();
        assertThat(ruleset).contains("table inet mpsec_gate");
        assertThat(ruleset.split("rt ipsec missing", -1)).as("one output rule").hasSize(2);
        assertThat(ruleset.split("meta ipsec missing", -1)).as("one input rule").hasSize(2);
        assertThat(ruleset).contains("hook output").contains("hook input").contains("reject with tcp reset");
        assertThat(s().execOk("nft", "list", "tables").stdout()).as("only in the namespace it was installed in")
                .doesNotContain("mpsec_gate");
        assertThat(g.installed()).isTrue();
        assertThat(g.drops()).isEqualTo(new JoinGate.Drops(0, 0));
        assertThat(JoinGate.unavailabilityCause(ns(c()))).isEmpty();
        // the probes commit nothing
        assertThat(c().execOk("nft", "list", "tables").stdout()).doesNotContain("mpsec_gate_probe");

        g.remove();
        assertThat(c().execOk("nft", "list", "tables").stdout()).doesNotContain("mpsec_gate");
        assertThat(g.installed()).isFalse();
        g.remove(); // idempotent
        assertThatThrownBy(g::drops).isInstanceOf(JoinGateException.class).hasMessageContaining("not installed");
        assertThat(JoinGate.of(ns(c())).installed()).isFalse();
    }

    @Test
    void positiveControlWithoutTheGateAnAnnouncedUncoveredAddressGetsAJoinInClear() throws Exception {
        Run r = run(Trigger.ANNOUNCED_ADDRESS, false, false);
        assertClearJoin(r);
        assertThat(r.subflowEstablishedOn(null, s().address(2))).as("subflow to the announced address").isTrue();
        assertIntact(r);
    }

    @Test
    void withTheGateOnBothHostsAnAnnouncedUncoveredAddressIsRefusedAndNothingLeavesInClear() throws Exception {
        Run r = run(Trigger.ANNOUNCED_ADDRESS, true, true);
        assertThat(r.wire().dropped()).as("packets the capture lost").isZero();
        assertThat(r.wire().joins()).as("MP_JOIN SYNs and SYN/ACKs on path 2").isZero();
        assertThat(r.wire().tcpPackets()).as("any TCP packet on path 2").isZero();
        assertThat(r.clientGate().refusedOutbound()).as("joins the client's gate refused").isPositive();
        assertThat(r.serverGate().droppedInbound()).as("nothing reached the server").isZero();
        assertThat(r.refusedOn(null, s().address(2))).as("SUB_CLOSED with ECONNREFUSED for the join").isTrue();
        assertThat(r.subflowEstablishedOn(null, s().address(2))).isFalse();
        assertIntact(r);
        // installing again keeps the counters and the single rule per chain
        JoinGate again = JoinGate.install(ns(c()));
        assertThat(again.drops()).isEqualTo(r.clientGate());
        assertThat(c().execOk("nft", "list", "ruleset").stdout().split("rt ipsec missing", -1)).hasSize(2);
    }

    @Test
    void positiveControlWithoutTheGateANewLocalAddressGetsAJoinInClear() throws Exception {
        Run r = run(Trigger.NEW_LOCAL_ADDRESS, false, false);
        assertClearJoin(r);
        assertThat(r.subflowEstablishedOn(c().address(2), null)).as("subflow from the new address").isTrue();
        assertIntact(r);
    }

    @Test
    void withTheGateANewLocalAddressIsRefusedAndNothingLeavesInClear() throws Exception {
        Run r = run(Trigger.NEW_LOCAL_ADDRESS, true, true);
        assertThat(r.wire().dropped()).as("packets the capture lost").isZero();
        assertThat(r.wire().joins()).as("MP_JOIN SYNs and SYN/ACKs on path 2").isZero();
        assertThat(r.wire().tcpPackets()).as("any TCP packet on path 2").isZero();
        assertThat(r.clientGate().refusedOutbound()).as("joins the client's gate refused").isPositive();
        assertThat(r.refusedOn(c().address(2), null)).as("SUB_CLOSED with ECONNREFUSED for the join").isTrue();
        assertThat(r.subflowEstablishedOn(c().address(2), null)).isFalse();
        assertIntact(r);
    }

    @Test
    void aGateOnTheServerDropsACleartextJoinFromAnUngatedClient() throws Exception {
        Run r = run(Trigger.ANNOUNCED_ADDRESS, false, true);
        assertThat(r.wire().dropped()).isZero();
        assertThat(r.wire().joinSyns()).as("the ungated client's join SYN is on the wire").isPositive();
        assertThat(r.wire().joinSynAcks()).as("but the server never answers it").isZero();
        assertThat(r.wire().payloadPackets()).as("payload in clear on path 2").isZero();
        assertThat(r.serverGate().droppedInbound()).as("joins the server's gate dropped").isPositive();
        assertThat(r.subflowEstablishedOn(null, s().address(2))).isFalse();
        assertIntact(r);
    }

    /**
     * The positive control: the join handshake crossed path 2 in clear. Whether the scheduler then puts
     * payload on the new subflow varies from run to run (0 to about 290 kB were seen), so payload is
     * printed, not asserted.
     */
    static void assertClearJoin(Run r) {
        assertThat(r.wire().dropped()).isZero();
        assertThat(r.wire().joinSyns()).as("MP_JOIN SYNs in clear on path 2").isPositive();
        assertThat(r.wire().joinSynAcks()).as("MP_JOIN SYN/ACKs in clear on path 2").isPositive();
    }

    @Test
    void aPairWithAPolicyButNoSaYetIsLeftToXfrmNotRefusedByTheGate() throws Exception {
        // e.g. during apply() or after a crash: the policy is there, the SA not yet. xfrm holds the SYN
        // back (XfrmOutNoStates) and TCP retransmits it, so the join completes once the SA exists; the
        // gate must not turn that into a refusal (such a SYN never reaches the gate's output rule).
        Run r = run(Trigger.NEW_LOCAL_ADDRESS_POLICY_WITHOUT_SA, true, true);
        assertThat(r.xfrmOutNoStates()).as("SYNs xfrm held back for want of an SA (the trigger)").isPositive();
        assertThat(r.wire().dropped()).isZero();
        assertThat(r.wire().tcpPackets()).as("any TCP packet on path 2").isZero();
        assertThat(r.clientGate().refusedOutbound()).as("the gate did not refuse it").isZero();
        assertThat(r.refusedOn(c().address(2), null)).isFalse();
        assertIntact(r);
    }

    static long xfrmOutNoStates(Testbed.Host h) {
        for (String l : h.execOk("cat", "/proc/net/xfrm_stat").stdout().split("\n")) {
            if (l.startsWith("XfrmOutNoStates")) {
                return Long.parseLong(l.substring("XfrmOutNoStates".length()).trim());
            }
        }
        throw new AssertionError("no XfrmOutNoStates in /proc/net/xfrm_stat");
    }

    static void assertIntact(Run r) {
        assertThat(r.wire().icmpEchoes()).as("the ping during the capture (it sees path 2)").isPositive();
        assertThat(r.bytesBeforeTrigger()).as("bytes on path 1 before the trigger").isGreaterThan(1_000_000);
        assertThat(r.sent()).endsWith(" ok");
        assertThat(r.received().substring("received ".length()))
                .isEqualTo(r.sent().substring("sent ".length(), r.sent().length() - 3));
        assertThat(r.received()).startsWith("received " + BYTES + " ");
    }

    /** One transfer c -> s over path 1; after 1 MB, the trigger adds the uncovered pair. */
    Run run(Trigger trigger, boolean clientGate, boolean serverGate) throws Exception {
        Testbed.Host c = c();
        Testbed.Host s = s();
        JoinGate cg = clientGate ? gate(c) : null;
        JoinGate sg = serverGate ? gate(s) : null;
        if (trigger != Trigger.ANNOUNCED_ADDRESS) {
            c.execOk("ip", "addr", "flush", "dev", c.iface(2)); // the address appears during the transfer
        }
        if (trigger == Trigger.NEW_LOCAL_ADDRESS_POLICY_WITHOUT_SA) {
            String l = c.address(2).getHostAddress();
            String r = s.address(1).getHostAddress();
            c.execOk("ip", "xfrm", "policy", "add", "src", l + "/32", "dst", r + "/32", "proto", "tcp", "dir", "out", "tmpl",
                    "src", l, "dst", r, "proto", "esp", "reqid", "7", "mode", "transport", "level", "required");
        }
        long noStatesBefore = xfrmOutNoStates(c);
        List<PmEvent> events = new CopyOnWriteArrayList<>();
        PmEventListener listener = c.call(() -> PmEventListener.open(null));
        open.add(0, listener);
        listener.subscribersOnly();
        listener.subscribe(events::add);
        Path script = Lane.peerScript(dir);
        try (JoinCapture wire = JoinCapture.start(c, c.iface(2), dir, "tcp or icmp", 15)) {
            // the capture's own positive control: an echo request sent over path 2 must show up in it (c2 may
            // have no address yet, so it goes to c's path-1 address; the reply does not matter)
            s.exec("ping", "-c", "1", "-W", "1", "-I", s.iface(2), c.address(1).getHostAddress());
            Lane.Peer server = new Lane.Peer(s.startProcess("python3", script.toString(), "server", "0.0.0.0", String.valueOf(PORT)));
            server.await("listening", 30);
            long base = NET.path(1).txBytes(c);
            Lane.Peer client = new Lane.Peer(c.startProcess("python3", script.toString(), "client",
                    s.address(1).getHostAddress(), String.valueOf(PORT), String.valueOf(BYTES), "4"));
            client.await("connected", 30);
            long before = waitForBytes(c, base, 1_100_000, 15_000);
            Predicate<PmEvent> proof;
            if (trigger == Trigger.ANNOUNCED_ADDRESS) {
                s.execOk("ip", "mptcp", "endpoint", "add", s.address(2).getHostAddress(), "dev", s.iface(2), "signal");
                proof = e -> e instanceof PmEvent.Announced a && a.address().equals(s.address(2));
            } else {
                c.execOk("ip", "addr", "add", c.address(2).getHostAddress() + "/24", "dev", c.iface(2));
                c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
                proof = e -> (e instanceof PmEvent.SubflowEstablished se && c.address(2).equals(se.endpoints().local()))
                        || (e instanceof PmEvent.SubflowClosed sc && c.address(2).equals(sc.endpoints().local()));
            }
            if (trigger == Trigger.NEW_LOCAL_ADDRESS_POLICY_WITHOUT_SA) {
                long deadline = System.currentTimeMillis() + 10_000;
                while (xfrmOutNoStates(c) == noStatesBefore && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
            } else {
                awaitEvent(events, proof, 10_000, trigger + " trigger");
            }
            String sent = client.await("sent", 60);
            String received = server.await("received", 30);
            Thread.sleep(300);
            JoinCapture.Counts counts = wire.stop();
            Run r = new Run(List.copyOf(events), before, counts, sent, received, cg == null ? null : cg.drops(),
                    sg == null ? null : sg.drops(), xfrmOutNoStates(c) - noStatesBefore);
            System.out.println("join gate evidence: " + trigger + ", gate client=" + clientGate + " server=" + serverGate
                    + "; path-1 bytes before trigger " + before + "; wire on " + c.iface(2) + ": " + counts + " " + counts.joinLines()
                    + "; client gate " + r.clientGate() + ", server gate " + r.serverGate() + "; XfrmOutNoStates +" + r.xfrmOutNoStates()
                    + "; " + received + "; events "
                    + events.stream().filter(e -> !(e instanceof PmEvent.ListenerCreated || e instanceof PmEvent.ListenerClosed)).toList());
            return r;
        }
    }

    long waitForBytes(Testbed.Host c, long base, long atLeast, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        long n = 0;
        while (System.currentTimeMillis() < deadline) {
            n = NET.path(1).txBytes(c) - base;
            if (n >= atLeast) {
                return n;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("only " + n + " bytes on path 1 within " + timeoutMillis + " ms");
    }

    static void awaitEvent(List<PmEvent> events, Predicate<PmEvent> p, long timeoutMillis, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (events.stream().anyMatch(p)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no event proving the " + what + " within " + timeoutMillis + " ms; events: " + events);
    }
}
