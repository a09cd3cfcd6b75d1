package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.SubflowInfo;
import io.mpsec.TcpState;
import io.mpsec.testbed.Testbed;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * subflows() reports each path's addresses, RTT, cwnd, bytes and backup flag, as ss -M/-ti sees them. Runs
 * in the 6.1 kernel lane too: there the subflows come from MPTCP_TCPINFO + MPTCP_SUBFLOW_ADDRS (no
 * MPTCP_FULL_INFO) and the backup flag from sock_diag.
 */
@Tag("also-kernel-lane")
class SubflowsIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).mptcpLimits(4, 4).build();

    @Test
    void backupPathIsFlaggedAndCountersMove() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow", "backup");
        InetAddress addr = s.address(1);
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr));
             MpsecSocket socket = c.call(() -> new MpsecSocket(addr, server.getLocalPort()));
             MpsecSocket peer = server.accept()) {
            java.util.concurrent.CompletableFuture<byte[]> read =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return peer.getInputStream().readNBytes(1_000_000);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            socket.getOutputStream().write(new byte[1_000_000]);
            assertThat(read.get(30, java.util.concurrent.TimeUnit.SECONDS)).hasSize(1_000_000);
            List<SubflowInfo> subflows = waitForSubflows(socket, 2);
            assertThat(subflows).hasSize(2);
            SubflowInfo primary = subflows.stream().filter(sf -> sf.local().getAddress().equals(c.address(1))).findFirst().orElseThrow();
            SubflowInfo backup = subflows.stream().filter(sf -> sf.local().getAddress().equals(c.address(2))).findFirst().orElseThrow();
            assertThat(primary.backup()).contains(false);
            assertThat(backup.backup()).as("endpoint flagged backup").contains(true);
            assertThat(primary.remote()).isEqualTo(new java.net.InetSocketAddress(addr, server.getLocalPort()));
            assertThat(primary.bytesAcked()).as("primary carried the data").isGreaterThan(900_000);
            assertThat(backup.bytesAcked()).as("backup carried (almost) nothing").isLessThan(10_000);
            assertThat(primary.rttMicros()).isPositive();
            assertThat(primary.cwnd()).isPositive();
            assertThat(primary.tcpState()).isEqualTo(TcpState.ESTABLISHED);
            // cross-check with ss: each subflow's tcp-ulp-mptcp flags carry B/b for a backup subflow
            String ss = c.execOk("ss", "-tin").stdout();
            assertThat(ssFlags(ss, backup.local().getPort())).as("ss flags of the backup subflow").containsAnyOf("b", "B");
            assertThat(ssFlags(ss, primary.local().getPort())).as("ss flags of the primary subflow").doesNotContain("b", "B");
        }
    }

    /** The "flags:" token of the tcp-ulp-mptcp info of the socket with local port {@code port} in ss -ti output. */
    private static String ssFlags(String ss, int port) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile(":" + port + "\\s[^\\n]*\\n[^\\n]*tcp-ulp-mptcp flags:(\\S+)").matcher(ss);
        assertThat(m.find()).as("ss -ti shows subflow with local port " + port + ":\n" + ss).isTrue();
        return m.group(1);
    }

    private static List<SubflowInfo> waitForSubflows(MpsecSocket socket, int n) throws Exception {
        List<SubflowInfo> subflows = socket.subflows();
        for (int i = 0; i < 50 && subflows.size() < n; i++) {
            Thread.sleep(100);
            subflows = socket.subflows();
        }
        return subflows;
    }
}
