package io.mpsec.ipsec.paths;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.keys.KeyGenerations;
import io.mpsec.ipsec.paths.RekeyHealth.State;
import io.mpsec.ipsec.xfrm.XfrmClient;
import io.mpsec.ipsec.xfrm.XfrmEvents;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.testbed.Testbed;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * AutoRekey under a netlink event flood, with real ESP (kernel lane only). c's AutoRekey listens on
 * an xfrm event socket whose receive buffer is the kernel's minimum, while a flood of ACQUIREs (one
 * per new destination behind a {@code level required} policy with no SA) overflows it again and
 * again: real ENOBUFS. The SAs have a 12 s soft lifetime, so their soft EXPIREs arrive in the middle
 * of the flood (and may be lost in it). The test asserts that overruns happened, that a rekey
 * completed after the first one (the new generation carries a TCP transfer over ESP), and that the
 * health report shows both.
 */
@Tag("kernel-lane")
class AutoRekeyLaneIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).mptcpLimits(4, 4).build();

    @TempDir
    Path dir;
    final Lane lane = new Lane();

    @AfterEach
    void close() {
        lane.close();
    }

    static SecretBytes randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return SecretBytes.wrap(k);
    }

    /** The Drops column of c's NETLINK_XFRM sockets in /proc/net/netlink, summed. */
    static long kernelDrops(Testbed.Host h) {
        long sum = 0;
        for (String l : h.execOk("cat", "/proc/net/netlink").stdout().lines().skip(1).toList()) {
            String[] f = l.trim().split("\\s+");
            if (f.length >= 9 && f[1].equals(String.valueOf(Xfrm.NETLINK_XFRM))) {
                sum += Long.parseLong(f[8]);
            }
        }
        return sum;
    }

    static long outBytes(XfrmClient x, SecurePaths p, long gen) throws Exception {
        long sum = 0;
        for (PathSa s : p.installedSas().getOrDefault(gen, List.of())) {
            if (s.outbound()) {
                sum += x.counters(s.id()).bytes();
            }
        }
        return sum;
    }

    @Test
    void autoRekeyUnderANetlinkEventFloodRekeysAfterTheOverruns() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        Lifetime shortLived = new Lifetime(0, 0, 0, 0, 12, 300);
        SecretBytes master = randomKey();
        SecurePaths cp = lane.paths(NET, c, s, master, KeyGenerations.open(dir.resolve("c.key")), true, shortLived);
        SecurePaths sp = lane.paths(NET, s, c, master, KeyGenerations.open(dir.resolve("s.key")), true, shortLived);
        // the flood: every new destination in 198.18.64.0/18 raises an ACQUIRE (required policy, no SA)
        c.execOk("ip", "route", "add", "198.18.64.0/18", "via", s.address(1).getHostAddress(), "dev", c.iface(1));
        c.execOk("ip", "xfrm", "policy", "add", "src", c.address(1).getHostAddress() + "/32", "dst", "198.18.64.0/18", "dir", "out",
                "tmpl", "proto", "esp", "mode", "transport", "level", "required");
        NetNamespace ns = lane.ns(c);
        DatagramSocket udp = c.call(DatagramSocket::new);
        cp.apply();
        sp.apply();
        List<RekeyHealth> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        Thread flood = new Thread(() -> {
            byte[] one = {1};
            try (udp) {
                for (int i = 0; flooding.get(); i = (i + 1) % 16_000) {
                    udp.send(new DatagramPacket(one, 1,
                            InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) (64 + i / 250), (byte) (1 + i % 250)}), 9));
                    if (sent.incrementAndGet() % 200 == 0) {
                        Thread.sleep(20); // leave CPU to the guest's other threads
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "lane-acquire-flood");
        RekeyHealth h;
        // graceMillis long: s keeps sending on generation 1, c must keep accepting it for the transfer below
        try (AutoRekey a = AutoRekey.builder(cp).subscriptions(() -> XfrmEvents.open(ns, 1)).graceMillis(600_000)
                .onHealth(seen::add).start()) {
            flood.start();
            long deadline = System.nanoTime() + 150_000_000_000L;
            while (System.nanoTime() < deadline) {
                RekeyHealth x = a.health();
                if (x.eventOverruns() > 0 && x.lastRekeyAt() != null && x.lastRekeyAt().isAfter(x.firstOverrunAt())) {
                    break;
                }
                Thread.sleep(200);
            }
            flooding.set(false);
            flood.join(10_000);
            h = a.health();
            System.out.println("lane evidence: AutoRekey under an ACQUIRE flood (" + sent.get() + " packets to new destinations), "
                    + "kernel Drops on c's xfrm sockets " + kernelDrops(c) + "; health " + h);
            RekeyHealth firstOverrun = seen.stream().filter(r -> r.eventOverruns() > 0).findFirst().orElse(null);
            System.out.println("lane evidence: first health report with an overrun: " + firstOverrun);
            assertThat(h.eventOverruns()).as("overruns (ENOBUFS) during the flood").isPositive();
            assertThat(kernelDrops(c)).as("the kernel's own count of dropped notifications").isPositive();
            assertThat(h.lastRekeyAt()).as("a rekey completed").isNotNull();
            assertThat(h.lastRekeyAt()).as("the last rekey came after the first overrun").isAfter(h.firstOverrunAt());
            assertThat(h.state()).isEqualTo(State.RUNNING);
            assertThat(h.activeGeneration()).isEqualTo(cp.activeGeneration()).isGreaterThanOrEqualTo(2);
            assertThat(h.lastRekeyGeneration()).isEqualTo(h.activeGeneration());
            assertThat(h.lastError()).isNull();
            assertThat(h.subscriptionRestarts()).isZero();
        }
        // the new generation is in the kernel and carries traffic: ESP on generation >= 2
        long gen = cp.activeGeneration();
        assertThat(c.execOk("ip", "xfrm", "policy", "list", "dir", "out").stdout())
                .contains("reqid " + SecurePaths.reqid(gen) + " ");
        XfrmClient x = lane.client(c);
        long before = outBytes(x, cp, gen);
        byte[] data = new byte[300_000];
        new Random(9).nextBytes(data);
        assertThat(Lane.tcpTransfer(c, s, s.address(1), 5011, data)).isEqualTo(Lane.sha256(data));
        long after = outBytes(x, cp, gen);
        System.out.println("lane evidence: after the rekey, 300 kB c->s intact; ESP bytes out of c on generation " + gen + ": "
                + before + " -> " + after);
        assertThat(after - before).as("bytes through the new generation's outbound SAs").isGreaterThan(data.length);
    }
}
