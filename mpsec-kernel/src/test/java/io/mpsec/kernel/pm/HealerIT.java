package io.mpsec.kernel.pm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.netns.NetNamespace;
import io.mpsec.kernel.pm.strategy.ConnectionState;
import io.mpsec.kernel.pm.strategy.PmContext;
import io.mpsec.kernel.pm.strategy.PmStrategy;
import io.mpsec.kernel.pm.strategy.StrategyRunner;
import io.mpsec.kernel.pm.strategy.SubflowHealer;
import io.mpsec.pm.PmEvent;
import io.mpsec.testbed.Testbed;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Cut path 2, restore it: the healer brings the second subflow back and traffic uses both paths again. */
class HealerIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 100).mptcpLimits(8, 8).build();

    @TempDir
    Path stateDir;

    /** Opens one extra (non-backup) subflow over path 2. */
    record SecondPath(InetAddress local, InetAddress remote) implements PmStrategy {
        @Override
        public String name() {
            return "second-path";
        }

        @Override
        public void onEstablished(PmContext ctx, PmEvent.Established e) throws IOException {
            if (!e.serverSide()) {
                ctx.pm().createSubflow(e.token(), ctx.localId(e.token(), local), local, remote, e.endpoints().remotePort());
            }
        }
    }

    private static void await(BooleanSupplier cond, long millis, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void subflowComesBackAfterTheLinkReturns() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        SubflowHealer healer = new SubflowHealer();
        try (NetNamespace ns = NetNamespace.open(c.namespace());
                StrategyRunner runner = StrategyRunner.start(ns, stateDir, new SecondPath(c.address(2), s.address(2)), healer)) {
            Proc server = Proc.python(s, "server.py", "5201");
            server.await(l -> l.equals("listening"), 5000);
            Proc client = Proc.python(c, "client.py", s.address(1).getHostAddress(), "5201", "12", "0");
            client.await(l -> l.equals("connected"), 5000);
            BooleanSupplier onPath2 = () -> {
                for (ConnectionState st : runner.connections()) {
                    return st.subflows().stream().anyMatch(sf -> sf.local().equals(c.address(2)));
                }
                return false;
            };
            await(onPath2, 3000, "the subflow over path 2");
            assertThat(StrategiesIT.tcpSubflows(c)).isEqualTo(2);
            long before = NET.path(2).txBytes(c);
            await(() -> NET.path(2).txBytes(c) - before > 1_000_000L, 5000, "path 2 to carry 1 MB");

            NET.path(2).cut();
            await(() -> !onPath2.getAsBoolean(), 5000, "the path-2 subflow to be closed");
            assertThat(healer.lostCount()).isEqualTo(1);
            Thread.sleep(1000); // the path stays down for a while (scenario, not a wait for a condition)
            NET.path(2).restore();
            long t0 = System.currentTimeMillis();
            await(onPath2, 5000, "the healer to re-create the path-2 subflow");
            System.out.println("subflow re-created " + (System.currentTimeMillis() - t0) + " ms after restore; errors="
                    + runner.errors());
            assertThat(StrategiesIT.tcpSubflows(c)).isEqualTo(2);
            long again = NET.path(2).txBytes(c);
            long t1 = System.currentTimeMillis();
            await(() -> NET.path(2).txBytes(c) - again > 1_000_000L, 5000, "path 2 to carry 1 MB again after healing");
            System.out.println("path 2 carried 1 MB " + (System.currentTimeMillis() - t1) + " ms after healing");
            String sent = client.await(l -> l.startsWith("bytes="), 30_000);
            String received = server.await(l -> l.startsWith("bytes="), 10_000);
            assertThat(Proc.field(received, "sha256")).isEqualTo(Proc.field(sent, "sha256"));
            assertThat(runner.errors()).isEmpty();
        }
    }
}
