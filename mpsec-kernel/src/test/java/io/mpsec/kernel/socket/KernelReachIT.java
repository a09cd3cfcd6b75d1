package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.MptcpConnectionInfo;
import io.mpsec.SubflowInfo;
import io.mpsec.kernel.pm.Capabilities;
import io.mpsec.kernel.pm.KernelVersion;
import io.mpsec.pm.CapabilityReport;
import io.mpsec.pm.EndpointFlag;
import io.mpsec.spi.MpsecSocketImpl;
import io.mpsec.testbed.Testbed;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The socket API on the kernel it runs on, with every kernel-dependent answer checked against what
 * that kernel version has: on the build host (6.18: TCP_IS_MPTCP, MPTCP_FULL_INFO, subflows_total)
 * and, tagged {@code also-kernel-lane}, in the 6.1 kernel lane, which has MPTCP_INFO (48 bytes) but
 * neither TCP_IS_MPTCP nor MPTCP_FULL_INFO, so isMultipath() runs {@link MultipathChain}, subflows()
 * reads MPTCP_TCPINFO + MPTCP_SUBFLOW_ADDRS and pathsInUse() counts {@code subflows + 1}. The chain
 * is also run directly on every kernel, on an MPTCP and on a fallen-back connection. Transfers are
 * kept small for the lane (about 10x slower than the host).
 */
@Tag("also-kernel-lane")
class KernelReachIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).mptcpLimits(4, 4).perClass().build();

    private static final KernelVersion KERNEL = KernelVersion.current();

    @Test
    void featureReportMatchesTheKernelVersion() throws Exception {
        CapabilityReport r = NET.host("c").call(() -> Capabilities.probe(null));
        System.out.printf("feature report: kernel %s | TCP_IS_MPTCP %s | MPTCP_FULL_INFO %s | MPTCP_INFO (getsockopt) %s"
                        + " | endpoint flags %s | path managers %s | notes %s%n", r.kernelRelease(), r.tcpIsMptcp(),
                r.mptcpFullInfo(), MultipathChain.kernelHasMptcpInfo(), r.endpointFlags(), r.pathManagers(), r.notes());
        assertThat(r.tcpIsMptcp()).as("TCP_IS_MPTCP exists from 6.10").isEqualTo(KERNEL.atLeast(6, 10));
        assertThat(r.mptcpFullInfo()).as("MPTCP_FULL_INFO exists from 6.5").isEqualTo(KERNEL.atLeast(6, 5));
        assertThat(MultipathChain.kernelHasMptcpInfo()).as("SOL_MPTCP getsockopt exists from 5.16").isEqualTo(KERNEL.atLeast(5, 16));
        assertThat(r.endpointFlags()).as("flags of every kernel with the 6.1 uapi")
                .contains(EndpointFlag.SIGNAL, EndpointFlag.SUBFLOW, EndpointFlag.BACKUP, EndpointFlag.FULLMESH, EndpointFlag.IMPLICIT);
        assertThat(r.endpointFlags().contains(EndpointFlag.LAMINAR)).as("LAMINAR exists from 6.18").isEqualTo(KERNEL.atLeast(6, 18));
    }

    @Test
    void mptcpConnectionBasicsAndInfo() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr));
             MpsecSocket socket = c.call(() -> new MpsecSocket(addr, server.getLocalPort()));
             MpsecSocket peer = server.accept()) {
            socket.setSoTimeout(30_000);
            CompletableFuture<String> echo = CompletableFuture.supplyAsync(() -> {
                try {
                    byte[] buf = peer.getInputStream().readNBytes(256 * 1024);
                    peer.getOutputStream().write(buf);
                    return java.util.HexFormat.of().formatHex(Payload.sha256().digest(buf));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] data = new byte[256 * 1024];
            new java.util.Random(3).nextBytes(data);
            socket.getOutputStream().write(data);
            byte[] back = socket.getInputStream().readNBytes(data.length);
            assertThat(echo.get(60, TimeUnit.SECONDS)).isEqualTo(java.util.HexFormat.of().formatHex(Payload.sha256().digest(data)));
            assertThat(back).isEqualTo(data);

            assertThat(socket.isMultipath()).isTrue();
            assertThat(peer.isMultipath()).isTrue();
            assertThat(chain(socket)).as("getsockopt chain, client").isTrue();
            assertThat(chain(peer)).as("getsockopt chain, server").isTrue();

            MptcpConnectionInfo info = socket.connectionInfo();
            System.out.println("MPTCP_INFO on " + KERNEL + ": " + info);
            assertThat(info.structSize()).as("struct mptcp_info length").isIn(48, 80, 88, 96).isGreaterThanOrEqualTo(expectedInfoSize());
            assertThat(info.token()).isNotZero();
            assertThat(info.fallback()).isFalse();
            if (KERNEL.atLeast(6, 8)) {
                assertThat(info.subflowsTotal()).as("subflows_total, 6.8+").hasValue(1);
            } else {
                assertThat(info.subflowsTotal()).as("no subflows_total before 6.8").isEmpty();
            }
            assertThat(info.bytesSent().isPresent()).as("MPTCP byte counters, 6.5+").isEqualTo(KERNEL.atLeast(6, 5));
            assertThat(info.pathsInUse()).isEqualTo(1);
            assertThat(peer.connectionInfo().token()).as("each end has its own token").isNotEqualTo(info.token());

            List<SubflowInfo> subflows = socket.subflows();
            assertThat(subflows).hasSize(1);
            assertThat(subflows.get(0).local()).isEqualTo(new InetSocketAddress(c.address(1), socket.getLocalPort()));
            assertThat(subflows.get(0).remote()).isEqualTo(new InetSocketAddress(addr, server.getLocalPort()));
            if (KERNEL.atLeast(6, 5)) {
                assertThat(subflows.get(0).id()).as("subflow id from MPTCP_FULL_INFO").isPresent();
            } else {
                assertThat(subflows.get(0).id()).as("no subflow id without MPTCP_FULL_INFO").isEmpty();
            }
            assertThat(subflows.get(0).bytesAcked()).as("bytes acked on the subflow").isGreaterThanOrEqualTo(data.length);
            // independent view: ss lists the subflow as a TCP socket with the same ports
            String ss = c.execOk("ss", "-tnH", "state", "established").stdout();
            assertThat(ss).contains(c.address(1).getHostAddress() + ":" + socket.getLocalPort());
        }
    }

    @Test
    void fallbackToAPlainTcpServerIsDetectedWithoutTcpIsMptcp() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        try (ServerSocket plain = s.call(() -> new ServerSocket(0, 50, addr));
             MpsecSocket socket = c.call(() -> new MpsecSocket(addr, plain.getLocalPort()));
             Socket peer = plain.accept()) {
            socket.getOutputStream().write(7);
            assertThat(peer.getInputStream().read()).isEqualTo(7);
            assertThat(socket.isMultipath()).isFalse();
            assertThat(chain(socket)).as("getsockopt chain on a fallen-back socket").isFalse();
            assertThatThrownBy(socket::connectionInfo).isInstanceOf(SocketException.class)
                    .hasMessageContaining("the connection is not MPTCP");
            assertThat(socket.subflows()).isEmpty();
        }
    }

    @Test
    void twoPathsAreReportedAsTwoSubflows() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
        try {
            InetAddress addr = s.address(1);
            try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr));
                 MpsecSocket socket = c.call(() -> new MpsecSocket(addr, server.getLocalPort()));
                 MpsecSocket peer = server.accept()) {
                socket.getOutputStream().write(new byte[64 * 1024]);
                try (InputStream in = peer.getInputStream()) {
                    assertThat(in.readNBytes(64 * 1024)).hasSize(64 * 1024);
                    List<SubflowInfo> subflows = waitForSubflows(socket, 2);
                    assertThat(subflows).extracting(sf -> sf.local().getAddress())
                            .containsExactlyInAnyOrder(c.address(1), c.address(2));
                    MptcpConnectionInfo info = socket.connectionInfo();
                    assertThat(info.subflows()).as("additional subflows (mptcpi_subflows)").isEqualTo(1);
                    assertThat(info.pathsInUse()).as("subflows_total (6.8+) or subflows + 1").isEqualTo(2);
                    String endpoints = c.execOk("ip", "mptcp", "endpoint", "show").stdout();
                    assertThat(endpoints).contains(c.address(2).getHostAddress());
                }
            }
        } finally {
            c.execOk("ip", "mptcp", "endpoint", "flush");
        }
    }

    /** Subflows as reported once {@code n} exist (the join takes a few round trips; slow in the lane). */
    static List<SubflowInfo> waitForSubflows(MpsecSocket socket, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<SubflowInfo> subflows = socket.subflows();
        while (subflows.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
            subflows = socket.subflows();
        }
        return subflows;
    }

    /** The struct mptcp_info size this kernel version returns at least. */
    private static int expectedInfoSize() {
        return KERNEL.atLeast(6, 10) ? 96 : KERNEL.atLeast(6, 8) ? 88 : KERNEL.atLeast(6, 5) ? 80 : 48;
    }

    /** Runs {@link MultipathChain} (the pre-6.10 path) on the socket's descriptor, whatever the kernel. */
    private static boolean chain(MpsecSocket socket) throws Exception {
        Field f = MpsecSocket.class.getDeclaredField("impl");
        f.setAccessible(true);
        MptcpSocketImpl impl = (MptcpSocketImpl) (MpsecSocketImpl) f.get(socket);
        FdHandle h = impl.handleOrThrow();
        int fd = h.acquire();
        try {
            return MultipathChain.isMultipath(fd);
        } finally {
            h.release();
        }
    }
}
