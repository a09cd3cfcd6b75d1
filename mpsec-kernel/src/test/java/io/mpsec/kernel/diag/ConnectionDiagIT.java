package io.mpsec.kernel.diag;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.TcpState;
import io.mpsec.kernel.socket.SocketLeaks;
import io.mpsec.testbed.Testbed;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ConnectionDiag} against the real kernel, cross-checked with {@code ss -Mni} and
 * {@code ss -tni} run in the same namespace right after the snapshot: a two-path MPTCP connection
 * whose second path is a backup endpoint, and an MPTCP client whose server is a JDK
 * {@code ServerSocket} (plain TCP: the connection falls back). Also checks {@link SocketLeaks#open()} against the sockets the test opened.
 */
class ConnectionDiagIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 100).mptcpLimits(4, 4).build();

    static final int MP_BYTES = 2 << 20;

    @Test
    void connectionsAndSubflowsMatchSs() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow", "backup");
        long openBefore = SocketLeaks.open();
        try (MpsecServerSocket listener = s.call(() -> new MpsecServerSocket(0, 5, s.address(1)));
                ServerSocket plain = s.call(() -> new ServerSocket(0, 5, s.address(1)))) {
            CompletableFuture<MpsecSocket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return listener.accept();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (MpsecSocket mp = c.call(() -> new MpsecSocket(s.address(1), listener.getLocalPort()));
                    MpsecSocket fb = c.call(() -> new MpsecSocket(s.address(1), plain.getLocalPort()));
                    Socket fbPeer = plain.accept();
                    MpsecSocket peer = accepted.get(20, TimeUnit.SECONDS);
                    ConnectionDiag cDiag = ConnectionDiag.open(c.namespace());
                    ConnectionDiag sDiag = ConnectionDiag.open(s.namespace())) {
                CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> {
                    try {
                        InputStream in = peer.getInputStream();
                        byte[] buf = new byte[1 << 16];
                        int total = 0;
                        while (total < MP_BYTES) {
                            total += Math.max(0, in.read(buf));
                        }
                        return total; // the socket stays open, idle, until the test closes it
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                mp.getOutputStream().write(new byte[MP_BYTES]);
                assertThat(drained.get(20, TimeUnit.SECONDS)).isEqualTo(MP_BYTES);
                fb.getOutputStream().write(new byte[100_000]);
                assertThat(mp.isMultipath()).isTrue();
                assertThat(fb.isMultipath()).as("the JDK's server socket speaks plain TCP").isFalse();
                assertThat(SocketLeaks.open() - openBefore).as("listener, accepted, two clients").isEqualTo(4);

                NamespaceConnections now = waitForTwoSubflows(cDiag, mp);
                Thread.sleep(200); // idle: cwnd and rtt stop changing
                long t0 = System.nanoTime();
                now = cDiag.snapshot();
                long micros = (System.nanoTime() - t0) / 1000;
                Map<String, SsText.Entry> ssM = SsText.parse(c.execOk("ss", "-Mni").stdout());
                Map<String, SsText.Entry> ssT = SsText.parse(c.execOk("ss", "-tni").stdout());
                System.out.printf("snapshot of %d connections, %d subflows in %d us%n", now.count(), now.subflowCount(), micros);

                assertThat(now.namespace()).isEqualTo(c.namespace());
                assertThat(now.count()).isEqualTo(ssM.size()).isEqualTo(2);
                assertThat(now.fallbackCount()).isEqualTo(ssM.values().stream().filter(e -> e.has("fallback")).count())
                        .isEqualTo(1);
                assertThat(now.subflowCount()).isEqualTo(ssT.size()).isEqualTo(3);
                for (ConnectionSnapshot conn : now.connections()) {
                    SsText.Entry m = ssM.get(SsText.key(conn.local(), conn.remote()));
                    assertThat(m).as("ss -M lists %s", conn).isNotNull();
                    assertThat(conn.tokenHex()).isEqualTo(m.field("token"));
                    assertThat(conn.fallback()).isEqualTo(m.has("fallback"));
                    assertThat(conn.state()).isEqualTo(TcpState.ESTABLISHED);
                    for (SubflowSnapshot sf : conn.subflows()) {
                        SsText.Entry t = ssT.get(SsText.key(sf.local(), sf.remote()));
                        assertThat(t).as("ss -t lists %s", sf).isNotNull();
                        assertThat(t.tokens()[2]).isEqualTo(conn.token());
                        assertThat(sf.cwnd()).as("cwnd").isCloseTo(t.number("cwnd"),
                                org.assertj.core.data.Offset.offset(Math.max(2, t.number("cwnd") / 10)));
                        assertThat(sf.rttMicros()).as("rtt").isCloseTo(t.rttMicros(),
                                org.assertj.core.data.Offset.offset(200 + t.rttMicros() / 5));
                        assertThat(sf.congestionControl()).isEqualTo(t.firstWord());
                        assertThat(sf.backup()).isEqualTo(t.field("flags").matches(".*[bB].*"));
                        assertThat(sf.bytesAcked()).isCloseTo(t.number("bytes_acked"), org.assertj.core.data.Offset.offset(0L));
                    }
                }
                ConnectionSnapshot multipath = now.connections().stream().filter(x -> !x.fallback()).findFirst().orElseThrow();
                assertThat(multipath.remote().getPort()).isEqualTo(listener.getLocalPort());
                assertThat(multipath.subflows()).extracting(x -> x.local().getAddress())
                        .containsExactlyInAnyOrder(c.address(1), c.address(2));
                assertThat(multipath.subflows()).filteredOn(SubflowSnapshot::backup).singleElement()
                        .satisfies(x -> assertThat(x.local().getAddress()).isEqualTo(c.address(2)));
                assertThat(multipath.bytesSent()).isGreaterThanOrEqualTo(MP_BYTES);
                ConnectionSnapshot fallback = now.connections().stream().filter(ConnectionSnapshot::fallback).findFirst().orElseThrow();
                assertThat(fallback.remote().getPort()).isEqualTo(plain.getLocalPort());
                assertThat(fallback.subflows()).singleElement().satisfies(x -> {
                    assertThat(x.bytesAcked()).isGreaterThanOrEqualTo(100_000);
                    assertThat(x.backup()).isFalse();
                });

                // the server's side: only the MPTCP connection (the plain TCP one is not MPTCP there)
                NamespaceConnections server = sDiag.snapshot();
                assertThat(server.count()).isEqualTo(1);
                assertThat(server.fallbackCount()).isZero();
                assertThat(server.connections().get(0).subflows()).hasSize(2).filteredOn(SubflowSnapshot::backup).hasSize(1);
                assertThat(server.connections().get(0).bytesReceived()).isGreaterThanOrEqualTo(MP_BYTES);
            }
        }
        assertThat(SocketLeaks.open()).as("all closed").isEqualTo(openBefore);
    }

    private static NamespaceConnections waitForTwoSubflows(ConnectionDiag diag, MpsecSocket mp) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        NamespaceConnections now = diag.snapshot();
        while (now.subflowCount() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            now = diag.snapshot();
        }
        assertThat(now.subflowCount()).as("the backup subflow joined: %s", now).isEqualTo(3);
        return now;
    }
}
