package io.mpsec.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.kernel.diag.SsText;
import io.mpsec.testbed.Testbed;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ConnectionMetrics} and {@link MpsecSocketMetrics} on a real namespace, against
 * {@code ss -Mni} / {@code ss -tni} run in it: one MPTCP connection, and one MPTCP client whose server
 * is a JDK socket (plain TCP, so the connection falls back).
 */
class ConnectionMetricsIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    @Test
    void gaugesAndPerConnectionSeriesMatchSs() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress server = s.address(1);
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        new MpsecSocketMetrics().bindTo(reg);
        double openBefore = reg.get("mpsec.sockets.open").gauge().value();
        try (MpsecServerSocket mptcp = s.call(() -> new MpsecServerSocket(0, 5, server));
                ServerSocket plain = s.call(() -> new ServerSocket(0, 5, server));
                MpsecSocket mp = c.call(() -> new MpsecSocket(server, mptcp.getLocalPort()));
                MpsecSocket fb = c.call(() -> new MpsecSocket(server, plain.getLocalPort()));
                Socket mpPeer = mptcp.accept();
                Socket fbPeer = plain.accept();
                ConnectionMetrics m = ConnectionMetrics.open(c.namespace()).perConnectionSeries(true)) {
            mp.getOutputStream().write(new byte[100_000]);
            fb.getOutputStream().write(new byte[100_000]);
            assertThat(fb.isMultipath()).isFalse();
            m.bindTo(reg);
            Map<String, SsText.Entry> ssM = SsText.parse(c.execOk("ss", "-Mni").stdout());
            Map<String, SsText.Entry> ssT = SsText.parse(c.execOk("ss", "-tni").stdout());
            assertThat(reg.get("mpsec.mptcp.connections").tags("netns", c.namespace()).gauge().value())
                    .isEqualTo(ssM.size()).isEqualTo(2);
            assertThat(reg.get("mpsec.mptcp.fallback.connections").tags("netns", c.namespace()).gauge().value())
                    .isEqualTo(ssM.values().stream().filter(e -> e.has("fallback")).count()).isEqualTo(1);
            assertThat(reg.get("mpsec.mptcp.subflows").tags("netns", c.namespace()).gauge().value())
                    .isEqualTo(ssT.values().stream().filter(e -> e.has("tcp-ulp-mptcp")).count()).isEqualTo(2);
            for (SsText.Entry e : ssM.values()) {
                assertThat(reg.get("mpsec.mptcp.connection.subflows").tags("token", e.field("token")).gauge().value())
                        .as("per-connection series of token %s", e.field("token")).isEqualTo(1);
            }
            assertThat(m.readFailures()).isZero();
            // listener, accepted and client MPSec sockets; the JDK's plain sockets are not MPSec's
            assertThat(reg.get("mpsec.sockets.open").gauge().value() - openBefore).isEqualTo(4);
        }
        assertThat(reg.get("mpsec.sockets.open").gauge().value()).isEqualTo(openBefore);
    }
}
