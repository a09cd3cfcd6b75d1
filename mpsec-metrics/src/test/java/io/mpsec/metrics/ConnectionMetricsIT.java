package io.mpsec.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpsec.kernel.diag.SsText;
import io.mpsec.testbed.Privileged;
import io.mpsec.testbed.Testbed;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ConnectionMetrics} on a real namespace, against {@code ss -Mni} / {@code ss -tni} run in it:
 * python3 holds one MPTCP connection and one MPTCP client whose server speaks plain TCP (fallback).
 */
class ConnectionMetricsIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    static final String SINKS = String.join("\n",
            "import socket, sys, threading",
            "def serve(port, proto, ready):",
            "    l = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)",
            "    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "    l.bind((sys.argv[1], port)); l.listen(1); ready.set(); c, _ = l.accept()",
            "    while c.recv(65536): pass",
            "a, b = threading.Event(), threading.Event()",
            "threading.Thread(target=serve, args=(5001, socket.IPPROTO_TCP, b), daemon=True).start()",
            "threading.Thread(target=serve, args=(5000, socket.IPPROTO_MPTCP, a), daemon=True).start()",
            "a.wait(); b.wait(); print('ready', flush=True)",
            "threading.Event().wait()");
    static final String CLIENTS = String.join("\n",
            "import socket, sys, time",
            "conns = []",
            "for port in (5000, 5001):",
            "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)",
            "    s.connect((sys.argv[1], port)); s.sendall(b'x' * 100000); conns.append(s)",
            "print('connected', flush=True)",
            "time.sleep(60)");

    @Test
    void gaugesAndPerConnectionSeriesMatchSs() throws Exception {
        Privileged.requireTool("python3", "python3");
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        String server = s.address(1).getHostAddress();
        assertThat(readLine(s.startProcess("python3", "-c", SINKS, server))).isEqualTo("ready");
        assertThat(readLine(c.startProcess("python3", "-c", CLIENTS, server))).isEqualTo("connected");
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (ConnectionMetrics m = ConnectionMetrics.open(c.namespace()).perConnectionSeries(true)) {
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
        }
    }

    private static String readLine(Process p) throws Exception {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
}
