package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.strategy.Backup;
import io.mpsec.kernel.pm.strategy.ConnectionState;
import io.mpsec.kernel.pm.strategy.StrategyRunner;
import io.mpsec.testbed.Testbed;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active-standby: the backup path carries (nearly) nothing while the primary works; across 10 cuts
 * of the primary the transfer continues on the backup and every byte arrives unchanged (the python
 * receiver checks each byte against the sender's deterministic stream and names the first wrong
 * offset and what came instead). Failover closes the working primary subflow, never the initial
 * subflow, and the standby becomes backup again only after a new working primary joined (both
 * checked in the server's own {@code ip mptcp monitor} view).
 */
class BackupIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 100).mptcpLimits(8, 8).build();

    @TempDir
    Path stateDir;

    @Test
    void backupCarriesNothingUntilThePrimaryIsCutThenTakesOver() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        try (NetNamespace ns = NetNamespace.open(c.namespace());
                StrategyRunner runner = StrategyRunner.start(ns, stateDir, new Backup(c.address(2), s.address(2)))) {
            Proc serverMonitor = EventsIT.startMonitorAndAwaitReady(s);
            Proc server = Proc.python(s, "pattern_server.py", "5201");
            server.await(l -> l.equals("listening"), 30_000); // generous: python starts slowly on a loaded machine
            // sends until the stop file exists, so every cut hits a live connection however slow the machine is
            Path stop = stateDir.resolve("stop");
            Proc client = Proc.python(c, "pattern_client.py", s.address(1).getHostAddress(), "5201", "120", stop.toString());
            client.await(l -> l.equals("connected"), 30_000);
            long deadline = System.currentTimeMillis() + 5000;
            while ((runner.connections().isEmpty() || runner.connections().iterator().next().subflows().stream()
                    .noneMatch(x -> x.local().equals(c.address(2)))) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            ConnectionState st = runner.connections().iterator().next();
            System.out.println("subflows: " + st.subflows() + " errors=" + runner.errors());
            assertThat(runner.errors()).isEmpty();
            assertThat(st.subflows()).anyMatch(sf -> sf.local().equals(c.address(2)));
            // The server (independent view, ip mptcp monitor) sees the second subflow as a backup.
            String sf = serverMonitor.await(l -> l.contains("SF_ESTABLISHED") && l.contains("daddr4=" + c.address(2).getHostAddress()), 3000);
            System.out.println("server: " + sf);
            assertThat(sf).contains("backup=1");

            long p1 = NET.path(1).txBytes(c);
            long p2 = NET.path(2).txBytes(c);
            Thread.sleep(3000);
            long d1 = NET.path(1).txBytes(c) - p1;
            long d2 = NET.path(2).txBytes(c) - p2;
            System.out.printf("steady state 3 s: primary %d bytes, backup %d bytes (%.4f%%)%n", d1, d2, 100.0 * d2 / d1);
            assertThat(d1).isGreaterThan(10_000_000L);
            assertThat(d2).isLessThan(d1 / 100);

            // both namespaces' MPTCP counters around the cuts: if the receiver ever sees wrong bytes again (a suspected
            // kernel issue, docs/kernel-notes/mptcp-subflow-destroy-first.md), they say what the kernel saw
            java.util.Map<String, Long> c0 = FailoverSoak.nstat(c);
            java.util.Map<String, Long> s0 = FailoverSoak.nstat(s);
            long backupBefore = NET.path(2).txBytes(c);
            for (int i = 0; i < 10; i++) {
                NET.path(1).cut();
                Thread.sleep(800);
                NET.path(1).restore();
                Thread.sleep(1200);
            }
            long onBackup = NET.path(2).txBytes(c) - backupBefore;
            System.out.println("bytes on the backup path during 10 cuts: " + onBackup);
            assertThat(onBackup).isGreaterThan(1_000_000L);

            java.nio.file.Files.writeString(stop, "stop");
            String sent = client.await(l -> l.startsWith("bytes="), 60_000);
            String received = server.await(l -> l.startsWith("bytes=") && l.contains("mismatches="), 10_000);
            System.out.println("client: " + sent + "\nserver: " + received);
            System.out.println("MPTCP counters over the cuts: client " + FailoverSoak.delta(c0, FailoverSoak.nstat(c))
                    + "; server " + FailoverSoak.delta(s0, FailoverSoak.nstat(s)));
            assertThat(Proc.field(received, "mismatches")).as("wrong byte ranges: %s",
                    server.lines.stream().filter(l -> l.startsWith("mismatch ")).toList()).isEqualTo("0");
            assertThat(Proc.field(received, "bytes")).isEqualTo(Proc.field(sent, "bytes"));
            // the server's view: working primaries were closed, the initial subflow never
            List<String> closed = serverMonitor.lines.stream().filter(l -> l.contains("SF_CLOSED")).toList();
            System.out.println("server SF_CLOSED events: " + closed + "; initial subflow's client port " + st.localPort());
            assertThat(closed).as("subflows closed by failover").isNotEmpty()
                    .noneMatch(l -> l.contains("dport=" + st.localPort() + " "));
            // the server's view of every restore: the standby is marked backup again only after a new working
            // primary joined, so the connection never has backup subflows only (then the kernel would send on
            // the initial subflow of the path that just came back)
            String standby = "daddr[46]=(::ffff:)?" + java.util.regex.Pattern.quote(c.address(2).getHostAddress()) + " .*";
            String primary = "daddr[46]=(::ffff:)?" + java.util.regex.Pattern.quote(c.address(1).getHostAddress()) + " .*";
            boolean failedOver = false;
            boolean rejoined = false;
            int restores = 0;
            for (String l : serverMonitor.lines) {
                if (l.contains("SF_PRIO") && l.matches(".*" + standby) && l.contains("backup=0")) {
                    failedOver = true;
                    rejoined = false;
                } else if (l.contains("SF_ESTABLISHED") && l.matches(".*" + primary)) {
                    rejoined = true;
                } else if (failedOver && l.contains("SF_PRIO") && l.matches(".*" + standby) && l.contains("backup=1")) {
                    assertThat(rejoined).as("standby marked backup before a new working primary joined: %s", serverMonitor.lines).isTrue();
                    failedOver = false;
                    restores++;
                }
            }
            System.out.println("restores with the standby marked backup after the rejoin: " + restores);
            assertThat(restores).as("restores seen by the server").isGreaterThanOrEqualTo(5);
            String gap = Proc.field(received, "maxgap_ms");
            System.out.println("longest receive gap over 10 cuts: " + gap + " ms");
            // Coarse bound: a cut must be bridged by the backup within seconds, not after TCP's minutes-long
            // retransmission timeouts.
            assertThat(Double.parseDouble(gap)).as("longest receive gap (ms)").isLessThan(3000.0);
            assertThat(runner.errors()).isEmpty();
        }
    }
}
