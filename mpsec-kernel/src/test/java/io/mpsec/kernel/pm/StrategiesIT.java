package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.strategy.ConnectionState;
import io.mpsec.kernel.pm.strategy.Fullmesh;
import io.mpsec.kernel.pm.strategy.NDiffPorts;
import io.mpsec.kernel.pm.strategy.PmStrategy;
import io.mpsec.kernel.pm.strategy.StrategyRunner;
import io.mpsec.testbed.Testbed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** fullmesh and ndiffports through the userspace PM, counted with ss and MPTCP_INFO (ss -M). */
class StrategiesIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 100).mptcpLimits(8, 8).build();

    @TempDir
    Path stateDir;

    /** Established TCP subflows of the client towards port 5201 (ss, independent of MPSec). */
    static int tcpSubflows(Testbed.Host c) {
        String out = c.execOk("ss", "-Htn", "state", "established", "dport", "=", ":5201").stdout().trim();
        return out.isEmpty() ? 0 : out.split("\n").length;
    }

    /** MPTCP_INFO mptcpi_subflows (additional subflows) as ss -M prints it. */
    static int mptcpInfoSubflows(Testbed.Host c) {
        String out = c.execOk("ss", "-HMi").stdout();
        int i = out.indexOf("subflows:");
        return i < 0 ? 0 : Integer.parseInt(out.substring(i + 9).split("[^0-9]")[0]);
    }

    private int runAndCount(PmStrategy strategy, int expected) throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        try (NetNamespace ns = NetNamespace.open(c.namespace());
                StrategyRunner runner = StrategyRunner.start(ns, stateDir, strategy)) {
            assertThat(c.sysctl("net.mptcp.path_manager")).isEqualTo("userspace");
            Proc server = Proc.python(s, "server.py", "5201");
            server.await(l -> l.equals("listening"), 30_000); // generous: python starts slowly on a loaded machine (as in BackupIT)
            Proc client = Proc.python(c, "client.py", s.address(1).getHostAddress(), "5201", "3", "0");
            client.await(l -> l.equals("connected"), 30_000);
            // Poll until ss, MPTCP_INFO and the runner all agree on the expected count (or the deadline).
            long end = System.currentTimeMillis() + 5000;
            while (System.currentTimeMillis() < end && !(tcpSubflows(c) == expected && mptcpInfoSubflows(c) == expected - 1
                    && !runner.connections().isEmpty() && runner.connections().iterator().next().subflowCount() == expected)) {
                Thread.sleep(50);
            }
            // No extra subflow appears afterwards: sample for a further 300 ms.
            long stable = System.currentTimeMillis() + 300;
            while (System.currentTimeMillis() < stable) {
                assertThat(tcpSubflows(c)).as("no more than the expected subflows").isLessThanOrEqualTo(expected);
                Thread.sleep(50);
            }
            int tcp = tcpSubflows(c);
            int info = mptcpInfoSubflows(c);
            ConnectionState st = runner.connections().iterator().next();
            System.out.println(strategy.name() + ": ss subflows=" + tcp + " MPTCP_INFO subflows=" + info
                    + " tracked=" + st.subflowCount() + " " + st.subflows() + " errors=" + runner.errors());
            System.out.println(c.execOk("ss", "-Htn", "state", "established", "dport", "=", ":5201").stdout());
            assertThat(runner.errors()).isEmpty();
            assertThat(tcp).isEqualTo(expected);
            assertThat(info).isEqualTo(expected - 1); // mptcpi_subflows counts the additional ones
            assertThat(st.subflowCount()).isEqualTo(expected);
            String done = client.await(l -> l.startsWith("bytes="), 15000);
            assertThat(server.await(l -> l.startsWith("bytes="), 5000)).startsWith(done);
            return tcp;
        } finally {
            assertThat(c.sysctl("net.mptcp.path_manager")).isEqualTo("kernel");
        }
    }

    @Test
    void ndiffports4GivesFourSubflowsOverOnePath() throws Exception {
        runAndCount(new NDiffPorts(4), 4);
        // all four over path 1: same address pair, different source ports
    }

    @Test
    void fullmesh2x2GivesFourSubflows() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        s.execOk("ip", "mptcp", "endpoint", "add", s.address(2).getHostAddress(), "dev", s.iface(2), "signal");
        runAndCount(new Fullmesh(List.of(c.address(1), c.address(2))), 4);
    }

    @Test
    void aSecondRunnerInTheSameNamespaceIsRefused() throws Exception {
        Testbed.Host c = NET.host("c");
        try (NetNamespace ns = NetNamespace.open(c.namespace());
                StrategyRunner first = StrategyRunner.start(ns, stateDir, new NDiffPorts(2))) {
            assertThatThrownBy(() -> StrategyRunner.start(ns, stateDir, new NDiffPorts(3)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already runs in namespace " + c.namespace())
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
            // The refused start changed nothing: still userspace, and the first runner restores 'kernel'.
            assertThat(c.sysctl("net.mptcp.path_manager")).isEqualTo("userspace");
            assertThat(first.previousPathManager()).isEqualTo("kernel");
            assertThat(first.failure()).isNull();
        }
        assertThat(c.sysctl("net.mptcp.path_manager")).isEqualTo("kernel");
    }

    @Test
    void startAfterACrashRestoresThePreviousPathManager() throws Exception {
        Testbed.Host c = NET.host("c");
        // Simulate a crashed run: the namespace is left in userspace mode with the state file present.
        c.sysctl("net.mptcp.path_manager", "userspace");
        Files.writeString(stateDir.resolve(c.namespace() + ".previous"), "kernel\n");
        try (NetNamespace ns = NetNamespace.open(c.namespace())) {
            StrategyRunner r = StrategyRunner.start(ns, stateDir, new NDiffPorts(2));
            assertThat(r.previousPathManager()).isEqualTo("kernel");
            assertThat(c.sysctl("net.mptcp.path_manager")).isEqualTo("userspace");
            r.close();
            assertThat(c.sysctl("net.mptcp.path_manager")).isEqualTo("kernel");
            assertThat(stateDir.resolve(c.namespace() + ".previous")).doesNotExist();
        }
    }
}
