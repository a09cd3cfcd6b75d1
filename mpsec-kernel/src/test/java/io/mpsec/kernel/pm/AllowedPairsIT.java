package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.strategy.Fullmesh;
import io.mpsec.kernel.pm.strategy.NDiffPorts;
import io.mpsec.kernel.pm.strategy.PmStrategy;
import io.mpsec.kernel.pm.strategy.StrategyRunner;
import io.mpsec.testbed.Testbed;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strategies inside the runner's allowed pairs on the real kernel: the pairs outside them get no
 * MP_JOIN SYN at all (the kernel's own MPTcpExtMPJoinSynTx counter and ss agree), while the allowed
 * ones are opened as usual.
 */
class AllowedPairsIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 100).mptcpLimits(8, 8).build();

    @TempDir
    Path stateDir;

    /** The kernel's count of MP_JOIN SYNs sent from {@code h} (nstat, independent of MPSec). */
    static long joinSynsSent(Testbed.Host h) {
        String out = h.execOk("nstat", "-az", "MPTcpExtMPJoinSynTx").stdout();
        for (String l : out.split("\n")) {
            if (l.startsWith("MPTcpExtMPJoinSynTx")) {
                return Long.parseLong(l.trim().split("\\s+")[1]);
            }
        }
        throw new AssertionError("no MPTcpExtMPJoinSynTx in nstat output: " + out);
    }

    /** Established subflows of the client towards port 5201 going to {@code dst} (ss). */
    static int subflowsTo(Testbed.Host c, String dst) {
        String out = c.execOk("ss", "-Htn", "state", "established", "dst", dst, "dport", "=", ":5201").stdout().trim();
        return out.isEmpty() ? 0 : out.split("\n").length;
    }

    record Outcome(StrategyRunner runner, long joinSyns, int toS1, int toS2, List<String> errors, long refused) {
    }

    private Outcome run(SubflowPolicy allowed, PmStrategy strategy) throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        long synsBefore = joinSynsSent(c);
        try (NetNamespace ns = NetNamespace.open(c.namespace());
                StrategyRunner runner = StrategyRunner.start(ns, stateDir, allowed, strategy)) {
            assertThat(runner.allowedPairs()).isSameAs(allowed);
            Proc server = Proc.python(s, "server.py", "5201");
            server.await(l -> l.equals("listening"), 5000);
            Proc client = Proc.python(c, "client.py", s.address(1).getHostAddress(), "5201", "1", "4");
            client.await(l -> l.equals("connected"), 5000);
            Thread.sleep(1500); // the strategy acted on ESTABLISHED and ANNOUNCED long before; the client holds 4 s more
            Outcome o = new Outcome(runner, joinSynsSent(c) - synsBefore, subflowsTo(c, s.address(1).getHostAddress()),
                    subflowsTo(c, s.address(2).getHostAddress()), runner.errors(), runner.refusedSubflows());
            String done = client.await(l -> l.startsWith("bytes="), 15000);
            assertThat(server.await(l -> l.startsWith("bytes="), 5000)).startsWith(done);
            System.out.println(strategy.name() + " within " + allowed + ": MP_JOIN SYNs sent " + o.joinSyns() + ", subflows to s1 "
                    + o.toS1() + ", to s2 " + o.toS2() + ", refused " + o.refused() + ", errors " + o.errors());
            return o;
        }
    }

    @Test
    void fullmeshOpensOnlyTheProtectedPairsAndNoJoinToTheAnnouncedUnprotectedAddress() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        s.execOk("ip", "mptcp", "endpoint", "add", s.address(2).getHostAddress(), "dev", s.iface(2), "signal");
        SubflowPolicy protectedPairs = SubflowPolicy.pairs(List.of(c.address(1), c.address(2)), List.of(s.address(1)));
        Fullmesh fullmesh = new Fullmesh(List.of(c.address(1), c.address(2)));
        Outcome o = run(protectedPairs, fullmesh);
        assertThat(o.joinSyns()).as("MP_JOIN SYNs the kernel sent: only c2 -> s1").isEqualTo(1);
        assertThat(o.toS1()).as("initial subflow and c2 -> s1").isEqualTo(2);
        assertThat(o.toS2()).as("subflows to the announced, unprotected address").isZero();
        assertThat(fullmesh.skipped()).as("c1 -> s2 and c2 -> s2 left out").isEqualTo(2);
        assertThat(o.refused()).isZero();
        assertThat(o.errors()).isEmpty();
    }

    @Test
    void positiveControlWithoutRestrictionFullmeshJoinsTheAnnouncedAddress() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        s.execOk("ip", "mptcp", "endpoint", "add", s.address(2).getHostAddress(), "dev", s.iface(2), "signal");
        Outcome o = run(SubflowPolicy.ANY, new Fullmesh(List.of(c.address(1), c.address(2))));
        assertThat(o.joinSyns()).isEqualTo(3);
        assertThat(o.toS2()).isEqualTo(2);
    }

    @Test
    void aStrategyAskingForAPairOutsideTheAllowedOnesIsRefusedCountedAndNothingIsSent() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        // only path 2 is "protected": ndiffports' subflows over the initial pair (path 1) are refused
        Outcome o = run(SubflowPolicy.pairs(List.of(c.address(2)), List.of(s.address(2))), new NDiffPorts(3));
        assertThat(o.refused()).as("ndiffports stops at its first failed request").isEqualTo(1);
        assertThat(o.errors()).hasSize(1).allSatisfy(e -> assertThat(e).contains("refused to open the subflow 198.18.1.1 -> 198.18.1.2:5201"));
        assertThat(o.joinSyns()).as("MP_JOIN SYNs the kernel sent").isZero();
        assertThat(o.toS1()).as("only the initial subflow").isEqualTo(1);
    }
}
