package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.strategy.Backup;
import io.mpsec.kernel.pm.strategy.ConnectionState;
import io.mpsec.kernel.pm.strategy.StrategyRunner;
import io.mpsec.testbed.Testbed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active-standby across blackholes: path 1 silently drops everything (nft at the server, no link
 * event) four times for 800 ms. The backup strategy must see each one from the working primary's
 * stalled TCP state and fail over to the standby, so the receiver's longest pause stays bounded
 * (coarse: under 600 ms, where waiting for the kernel took 650-950 ms in the failover benchmark) and
 * every byte arrives unchanged (the python receiver checks each byte). Cross-checked independently:
 * the client's kernel MIB counts the removed subflows ({@code MPTcpExtRmSubflow}), the server's own
 * {@code ip mptcp monitor} sees the working primaries closed and never the initial subflow, and the
 * standby path's HTB counter shows it carried the traffic. About 25 s.
 */
class BackupBlackholeIT {
    private static final int CUTS = 4;

    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 100).mptcpLimits(8, 8).build();

    @TempDir
    Path stateDir;

    @Test
    void blackholesOnThePrimaryPathAreBridgedByTheStandbyWithinABoundedGap() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        Backup backup = new Backup(c.address(2), s.address(2));
        try (NetNamespace ns = NetNamespace.open(c.namespace());
                StrategyRunner runner = StrategyRunner.start(ns, stateDir, backup)) {
            Proc serverMonitor = EventsIT.startMonitorAndAwaitReady(s);
            Proc server = Proc.python(s, "pattern_server.py", "5201");
            server.await(l -> l.equals("listening"), 30_000);
            Path stop = stateDir.resolve("stop");
            Proc client = Proc.python(c, "pattern_client.py", s.address(1).getHostAddress(), "5201", "120", stop.toString());
            client.await(l -> l.equals("connected"), 30_000);
            long deadline = System.currentTimeMillis() + 10_000;
            while (!ready(runner, c) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(ready(runner, c)).as("standby and working primary up: %s", runner.connections()).isTrue();
            ConnectionState st = runner.connections().iterator().next();
            Thread.sleep(1000);
            assertThat(backup.blackholeFailovers()).as("failovers without any cut (false alarms)").isZero();

            Map<String, Long> mibBefore = mptcpMib(c);
            long standbyBefore = NET.path(2).txBytes(c);
            for (int i = 0; i < CUTS; i++) {
                NET.path(1).blackhole();
                Thread.sleep(800);
                NET.path(1).restore();
                Thread.sleep(1500); // the new working primary's handshake is retried about 1 s after the failover
            }
            long onStandby = NET.path(2).txBytes(c) - standbyBefore;
            Map<String, Long> mibAfter = mptcpMib(c);

            Files.writeString(stop, "stop");
            String sent = client.await(l -> l.startsWith("bytes="), 60_000);
            String received = server.await(l -> l.startsWith("bytes=") && l.contains("mismatches="), 10_000);
            long removed = mibAfter.getOrDefault("RmSubflow", 0L) - mibBefore.getOrDefault("RmSubflow", 0L);
            long mptcpRetrans = mibAfter.getOrDefault("MPTCPRetrans", 0L) - mibBefore.getOrDefault("MPTCPRetrans", 0L);
            String gap = Proc.field(received, "maxgap_ms");
            System.out.printf("client: %s%nserver: %s%nblackhole failovers %d, MIB: subflows removed %d, MPTCP-level retransmissions %d; "
                    + "standby path carried %d bytes during %d cuts; longest receive gap %s ms; errors %s%n", sent, received,
                    backup.blackholeFailovers(), removed, mptcpRetrans, onStandby, CUTS, gap, runner.errors());

            assertThat(Proc.field(received, "mismatches")).as("wrong byte ranges: %s",
                    server.lines.stream().filter(l -> l.startsWith("mismatch ")).toList()).isEqualTo("0");
            assertThat(Proc.field(received, "bytes")).isEqualTo(Proc.field(sent, "bytes"));
            assertThat(backup.blackholeFailovers()).as("one failover per blackhole").isGreaterThanOrEqualTo(CUTS);
            assertThat(removed).as("subflows removed, from the client's MIB (MPTcpExtRmSubflow)").isGreaterThanOrEqualTo(CUTS);
            assertThat(onStandby).as("bytes on the standby path while path 1 was cut").isGreaterThan(CUTS * 1_000_000L);
            List<String> closed = serverMonitor.lines.stream().filter(l -> l.contains("SF_CLOSED")).toList();
            System.out.println("server SF_CLOSED events: " + closed + "; initial subflow's client port " + st.localPort());
            assertThat(closed).as("working primaries closed, seen by the server").hasSizeGreaterThanOrEqualTo(CUTS)
                    .noneMatch(l -> l.contains("dport=" + st.localPort() + " "));
            assertThat(Double.parseDouble(gap)).as("longest receive gap over %d blackholes (ms)", CUTS).isLessThan(600.0);
            assertThat(runner.errors()).isEmpty();
        }
    }

    /** Both the standby (path 2) and a working primary (path 1, not the initial subflow) are established. */
    private static boolean ready(StrategyRunner runner, Testbed.Host c) {
        if (runner.connections().isEmpty()) {
            return false;
        }
        ConnectionState st = runner.connections().iterator().next();
        return st.subflows().stream().anyMatch(x -> x.local().equals(c.address(2)))
                && st.subflows().stream().anyMatch(x -> x.local().equals(st.local()) && x.localPort() != st.localPort());
    }

    /** The client namespace's MPTcpExt counters from /proc/net/netstat (the kernel's MIB, what nstat reads). */
    private static Map<String, Long> mptcpMib(Testbed.Host h) {
        Map<String, Long> out = new HashMap<>();
        String[] lines = h.execOk("cat", "/proc/net/netstat").stdout().split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("MPTcpExt:") && lines[i + 1].startsWith("MPTcpExt:")) {
                String[] k = lines[i].trim().split("\\s+");
                String[] v = lines[i + 1].trim().split("\\s+");
                for (int j = 1; j < k.length && j < v.length; j++) {
                    out.put(k[j], Long.parseLong(v[j]));
                }
                break;
            }
        }
        return out;
    }
}
