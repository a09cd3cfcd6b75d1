package io.mpsec.ipsec.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.paths.RekeyHealth.State;
import io.mpsec.ipsec.xfrm.XfrmEvent;
import io.mpsec.ipsec.xfrm.XfrmEvents;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkSocket;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Testbed;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * AutoRekey on real NETLINK_XFRM event sockets of this host's kernel (no ESP here, so no SA and no
 * EXPIRE; SecurePaths is a {@link FakeTarget}). Events come as ACQUIREs: a {@code level required}
 * OUT policy for 198.18.64.0/18 with no SA makes the kernel send one ACQUIRE per new destination
 * (and drop the packet). A burst of UDP packets to thousands of destinations overflows a socket whose
 * receive buffer was shrunk to the kernel's minimum: a real ENOBUFS.
 *
 * <p>Cross-checks with the kernel: an ACQUIRE creates a larval state only when its delivery to a
 * listener succeeded (km_query, net/xfrm/xfrm_state.c), so the ACQUIREs received equal the larval
 * states {@code ip xfrm state} lists, and every failed delivery counts in the socket's Drops column
 * of {@code /proc/net/netlink}.
 */
class AutoRekeyHostIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();
    static final int BURST = 3000;

    NetNamespace ns;

    @BeforeEach
    void floodTarget() throws IOException {
        Testbed.Host c = NET.host("c");
        c.execOk("ip", "route", "add", "198.18.64.0/18", "via", NET.host("s").address(1).getHostAddress(), "dev", c.iface(1));
        c.execOk("ip", "xfrm", "policy", "add", "src", c.address(1).getHostAddress() + "/32", "dst", "198.18.64.0/18", "dir", "out",
                "tmpl", "proto", "esp", "mode", "transport", "level", "required");
        ns = NetNamespace.open(c.namespace());
    }

    @AfterEach
    void closeNs() throws IOException {
        ns.close();
    }

    /** Sends one UDP packet to each of {@code count} new destinations in 198.18.64.0/18, from c. */
    static void flood(int from, int count) throws IOException {
        NET.host("c").call(() -> {
            try (DatagramSocket d = new DatagramSocket()) {
                byte[] one = {1};
                for (int i = from; i < from + count; i++) {
                    InetAddress dst = InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) (64 + i / 250), (byte) (1 + i % 250)});
                    d.send(new DatagramPacket(one, 1, dst, 9));
                }
            }
            return null;
        });
    }

    /** Counts ACQUIREs for the flood's destinations. */
    static Consumer<XfrmEvent> counter(AtomicLong n) {
        return e -> {
            if (e instanceof XfrmEvent.Acquire a && (a.destination().getAddress()[2] & 0xc0) == 64) {
                n.incrementAndGet();
            }
        };
    }

    /** Larval (ACQUIRE) states in c, per {@code ip xfrm state}. */
    static long larvalStates() {
        String out = NET.host("c").execOk("ip", "xfrm", "state", "list").stdout();
        return out.lines().filter(l -> l.startsWith("src ") && l.contains(" dst 198.18.")).count();
    }

    /** The Drops column of c's NETLINK_XFRM sockets in /proc/net/netlink, summed. */
    static long kernelDrops() {
        long sum = 0;
        for (String l : NET.host("c").execOk("cat", "/proc/net/netlink").stdout().lines().skip(1).toList()) {
            String[] f = l.trim().split("\\s+");
            if (f.length >= 9 && f[1].equals(String.valueOf(Xfrm.NETLINK_XFRM))) {
                sum += Long.parseLong(f[8]);
            }
        }
        return sum;
    }

    static void await(String what, java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Waits until the received count stops moving (the reader drained the socket). */
    static long settle(AtomicLong n) throws InterruptedException {
        long last = -1;
        while (n.get() != last) {
            last = n.get();
            Thread.sleep(300);
        }
        return last;
    }

    @Test
    void aRealEnobufsIsCountedTheStateRecheckedAndTheThreadRunsOn() throws Exception {
        FakeTarget t = new FakeTarget(RekeyTime.SYSTEM, Lifetime.UNLIMITED);
        AtomicLong acquires = new AtomicLong();
        AutoRekey.Subscriptions subs = () -> {
            XfrmEvents ev = XfrmEvents.open(ns, 1); // the kernel's minimum buffer (a few KiB)
            ev.subscribe(counter(acquires));
            return ev;
        };
        try (AutoRekey a = AutoRekey.builder(t).subscriptions(subs).graceMillis(1000).start()) {
            flood(0, BURST);
            await("an overrun", () -> a.health().eventOverruns() > 0 && a.health().resyncs() > 0);
            long received = settle(acquires);
            long states = larvalStates();
            long drops = kernelDrops();
            RekeyHealth h = a.health();
            System.out.println("host evidence: " + BURST + " destinations, " + received + " ACQUIREs received, " + states
                    + " larval states (ip xfrm state), kernel Drops " + drops + "; health " + h);
            assertThat(h.eventOverruns()).as("ENOBUFS seen").isPositive();
            assertThat(drops).as("the kernel dropped notifications for this socket").isGreaterThanOrEqualTo(h.eventOverruns());
            assertThat(received).as("ACQUIREs received = delivered = larval states").isEqualTo(states).isPositive();
            assertThat(received + drops).as("every destination's ACQUIRE was either delivered or dropped").isEqualTo(BURST);
            assertThat(h.state()).isEqualTo(State.RUNNING);
            assertThat(h.skippedEvents()).isZero();
            assertThat(h.subscriptionRestarts()).isZero();
            assertThat(h.resyncs()).isPositive();
            // still reading: single ACQUIREs after the flood arrive (one at a time: the minimum buffer holds one)
            long before = acquires.get();
            for (int i = 1; i <= 3; i++) {
                flood(BURST + i, 1);
                long want = before + i;
                await("ACQUIRE " + i + " after the overrun", () -> acquires.get() == want);
            }
            assertThat(a.health().state()).isEqualTo(State.RUNNING);
        }
    }

    @Test
    void aSocketThatDiesIsReplacedAndTheNewOneCountsOverrunsToo() throws Exception {
        FakeTarget t = new FakeTarget(RekeyTime.SYSTEM, Lifetime.UNLIMITED);
        AtomicLong acquires = new AtomicLong();
        List<NetlinkSocket> sockets = new CopyOnWriteArrayList<>();
        AutoRekey.Subscriptions subs = () -> {
            NetlinkSocket so = NetlinkSocket.open(Xfrm.NETLINK_XFRM, ns);
            sockets.add(so);
            XfrmEvents ev = new XfrmEvents(new NetlinkConnection(so));
            so.receiveBufferSize(1);
            ev.subscribe(counter(acquires));
            return ev;
        };
        List<RekeyHealth> seen = new CopyOnWriteArrayList<>();
        try (AutoRekey a = AutoRekey.builder(t).subscriptions(subs).graceMillis(1000).onHealth(seen::add).start()) {
            sockets.get(0).close(); // the socket fails under the reader thread
            await("reopened", () -> a.health().subscriptionRestarts() == 1 && a.health().state() == State.RUNNING);
            assertThat(sockets).hasSize(2);
            assertThat(seen).anyMatch(h -> h.state() == State.DEGRADED && h.lastError() != null
                    && h.lastError().operation().equals("event socket"));
            flood(0, BURST);
            await("an overrun on the new socket", () -> a.health().eventOverruns() > 0);
            long received = settle(acquires);
            long states = larvalStates();
            RekeyHealth h = a.health();
            System.out.println("host evidence: socket closed under the reader, reopened; then " + BURST + " destinations, "
                    + received + " ACQUIREs received on the new socket, " + states + " larval states; health " + h);
            assertThat(received).isEqualTo(states).isPositive();
            assertThat(h.state()).isEqualTo(State.RUNNING);
            assertThat(h.subscriptionRestarts()).isEqualTo(1);
            // re-checks are at most one a second: the one after the overrun may still be due
            await("re-checked after the reopen and after the overrun", () -> a.health().resyncs() >= 2);
        }
    }
}
