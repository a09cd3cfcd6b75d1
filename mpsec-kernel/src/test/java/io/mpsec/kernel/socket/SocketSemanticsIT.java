package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.testbed.Testbed;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The java.net.Socket contract users rely on, on real MPTCP sockets. */
class SocketSemanticsIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).build();

    @Test
    void closeFromAnotherThreadUnblocksReaderAndAcceptor() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr))) {
            MpsecSocket socket = c.call(() -> new MpsecSocket(addr, server.getLocalPort()));
            MpsecSocket peer = server.accept();
            CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    socket.getInputStream().read();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(300);
            assertThat(reader).isNotDone();
            socket.close();
            Throwable t = reader.get(5, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(SocketException.class).hasMessage("Socket closed");
            assertThatThrownBy(() -> socket.getInputStream()).isInstanceOf(SocketException.class);
            peer.close();

            CompletableFuture<Throwable> acceptor = CompletableFuture.supplyAsync(() -> {
                try {
                    server.accept();
                    return null;
                } catch (Throwable e) {
                    return e;
                }
            });
            Thread.sleep(300);
            assertThat(acceptor).isNotDone();
            server.close();
            assertThat(acceptor.get(5, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessage("Socket closed");
        }
    }

    @Test
    void closeFromAnotherThreadUnblocksAWriterWhosePeerDoesNotRead() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr));
             MpsecSocket socket = c.call(() -> new MpsecSocket(addr, server.getLocalPort()));
             MpsecSocket peer = server.accept()) {
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    while (true) {
                        socket.getOutputStream().write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (Throwable t) {
                    return t;
                }
            });
            long last = -1;
            while (written.get() != last) { // wait until the send and receive buffers are full
                last = written.get();
                Thread.sleep(300);
            }
            assertThat(writer).as("writer blocked after %d bytes", last).isNotDone();
            socket.close();
            assertThat(writer.get(5, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessage("Socket closed");
            assertThat(peer.isClosed()).isFalse();
        }
    }

    @Test
    void closeFromAnotherThreadUnblocksAPendingConnect() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        NET.path(2).blackhole();
        try {
            MpsecSocket socket = new MpsecSocket();
            CompletableFuture<Throwable> connector = CompletableFuture.supplyAsync(() -> {
                try {
                    c.call(() -> {
                        socket.connect(new InetSocketAddress(s.address(2), 9));
                        return null;
                    });
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(500);
            assertThat(connector).as("connect to a blackholed address is pending").isNotDone();
            socket.close();
            assertThat(connector.get(5, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessage("Socket closed");
        } finally {
            NET.path(2).restore();
        }
    }

    @Test
    void wildcardServerIsDualStackAndKeepsMultipathForIpv4Peers() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        c.execOk("ip", "mptcp", "limits", "set", "subflows", "4", "add_addr_accepted", "4");
        s.execOk("ip", "mptcp", "limits", "set", "subflows", "4", "add_addr_accepted", "4");
        c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0))) {
            assertThatThrownBy(() -> new MpsecServerSocket().accept()).isInstanceOf(SocketException.class)
                    .hasMessage("Socket is not bound yet");
            assertThat(server.getInetAddress().isAnyLocalAddress()).isTrue();
            for (String local : new String[] {"::1", "127.0.0.1"}) {
                try (MpsecSocket m = s.call(() -> new MpsecSocket(InetAddress.getByName(local), server.getLocalPort()));
                     MpsecSocket peer = server.accept()) {
                    assertThat(peer.isMultipath()).as("over " + local).isTrue();
                    assertThat(peer.getInetAddress()).isEqualTo(InetAddress.getByName(local));
                }
            }
            try (MpsecSocket m = c.call(() -> new MpsecSocket(s.address(1), server.getLocalPort()));
                 MpsecSocket peer = server.accept()) {
                assertThat(peer.getInetAddress()).as("IPv4 peer reported as IPv4, not v4-mapped").isEqualTo(c.address(1));
                // the in-kernel PM adds subflows once the connection is fully established (data exchanged)
                m.getOutputStream().write(1);
                assertThat(peer.getInputStream().read()).isEqualTo(1);
                peer.getOutputStream().write(2);
                assertThat(m.getInputStream().read()).isEqualTo(2);
                int paths = 0;
                for (int i = 0; i < 50 && paths < 2; i++) {
                    Thread.sleep(100);
                    paths = m.connectionInfo().pathsInUse();
                }
                assertThat(paths).as("second subflow joins through the dual-stack listener").isEqualTo(2);
            }
        }
    }

    @Test
    void trafficClassAndOobInlineBeforeConnectOnIpv6() throws Exception {
        Testbed.Host s = NET.host("s");
        s.call(() -> {
            InetAddress lo6 = InetAddress.getByName("::1");
            try (MpsecServerSocket server = new MpsecServerSocket(0, 50, lo6); MpsecSocket m = new MpsecSocket()) {
                m.setTrafficClass(0x10);
                m.setOOBInline(false);
                m.connect(new InetSocketAddress(lo6, server.getLocalPort()), 2000);
                assertThat(m.isMultipath()).isTrue();
                assertThat(m.getTrafficClass()).isEqualTo(0x10);
                assertThat(m.getOOBInline()).isFalse();
                server.accept().close();
            }
            return null;
        });
    }

    @Test
    void soTimeoutThrowsAndLeavesTheSocketUsable() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr));
             MpsecSocket socket = c.call(() -> new MpsecSocket(addr, server.getLocalPort()));
             MpsecSocket peer = server.accept()) {
            socket.setSoTimeout(200);
            InputStream in = socket.getInputStream();
            assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);
            peer.getOutputStream().write(7);
            assertThat(in.read()).isEqualTo(7);
            assertThat(socket.isClosed()).isFalse();

            server.setSoTimeout(200);
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);

            socket.shutdownOutput();
            assertThat(peer.getInputStream().read()).as("half-close reaches the peer").isEqualTo(-1);
            peer.getOutputStream().write(9);
            assertThat(in.read()).as("other direction still open").isEqualTo(9);
        }
    }

    @Test
    void optionsAndAddressesBehaveLikeJdkSockets() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr));
             MpsecSocket socket = c.call(() -> {
                 MpsecSocket m = new MpsecSocket();
                 m.setTcpNoDelay(true);          // before the kernel socket exists: applied at creation
                 m.setKeepAlive(true);
                 m.bind(new InetSocketAddress(c.address(1), 0));
                 m.connect(new InetSocketAddress(addr, server.getLocalPort()), 2000);
                 return m;
             });
             MpsecSocket peer = server.accept()) {
            assertThat(socket.getTcpNoDelay()).isTrue();
            assertThat(socket.getKeepAlive()).isTrue();
            assertThat(socket.getLocalAddress()).isEqualTo(c.address(1));
            assertThat(socket.getInetAddress()).isEqualTo(addr);
            assertThat(peer.getInetAddress()).isEqualTo(c.address(1));
            assertThat(peer.getPort()).isEqualTo(socket.getLocalPort());
            socket.setSoLinger(true, 3);
            assertThat(socket.getSoLinger()).isEqualTo(3);
            socket.setOption(StandardSocketOptions.SO_RCVBUF, 65536);
            assertThat(socket.getReceiveBufferSize()).isGreaterThanOrEqualTo(65536);
            assertThat(socket.supportedOptions()).contains(StandardSocketOptions.TCP_NODELAY, io.mpsec.MpsecSocketOptions.TCP_CONGESTION);
            socket.setOption(io.mpsec.MpsecSocketOptions.TCP_CONGESTION, "reno");
            assertThat(socket.getOption(io.mpsec.MpsecSocketOptions.TCP_CONGESTION)).isEqualTo("reno");
            assertThatThrownBy(() -> socket.setOption(io.mpsec.MpsecSocketOptions.TCP_CONGESTION, "olia"))
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("unknown congestion control 'olia'")
                    .hasMessageContaining("cubic");
        }
    }

    @Test
    void ipv6WorksOverMptcp() throws Exception {
        Testbed.Host s = NET.host("s");
        s.call(() -> {
            InetAddress lo6 = InetAddress.getByName("::1");
            try (MpsecServerSocket server = new MpsecServerSocket(0, 50, lo6);
                 MpsecSocket socket = new MpsecSocket(lo6, server.getLocalPort());
                 MpsecSocket peer = server.accept()) {
                assertThat(socket.isMultipath()).isTrue();
                assertThat(peer.isMultipath()).isTrue();
                assertThat(socket.getInetAddress()).isEqualTo(lo6);
                socket.getOutputStream().write(new byte[] {1, 2, 3});
                assertThat(peer.getInputStream().readNBytes(3)).containsExactly(1, 2, 3);
            }
            return null;
        });
    }

    @Test
    void tenThousandSocketsLeaveNoDescriptorBehind() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        // path 2 is blackholed: a connect there never completes, so a short timeout fires
        NET.path(2).blackhole();
        InetSocketAddress silent = new InetSocketAddress(s.address(2), 9);
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 1000, addr))) {
            InetSocketAddress open = new InetSocketAddress(addr, server.getLocalPort());
            InetSocketAddress refused = new InetSocketAddress(addr, 1);
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        server.accept().close();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.start();
            int before = Syscalls.openFdCount();
            int[] counts = c.call(() -> {
                int connected = 0;
                int refusedCount = 0;
                int timedOut = 0;
                for (int i = 0; i < 10_000; i++) {
                    int kind = i % 5;
                    if (kind < 3) {
                        try (MpsecSocket m = new MpsecSocket(open.getAddress(), open.getPort())) {
                            connected++;
                        }
                    } else if (kind == 3) {
                        try {
                            new MpsecSocket(refused.getAddress(), refused.getPort()).close();
                        } catch (ConnectException e) {
                            refusedCount++;
                        }
                    } else {
                        MpsecSocket m = new MpsecSocket();
                        try {
                            m.connect(silent, 1);
                        } catch (SocketTimeoutException e) {
                            timedOut++;
                        } finally {
                            m.close();
                        }
                    }
                }
                return new int[] {connected, refusedCount, timedOut};
            });
            server.close();
            acceptor.join(5000);
            before -= 1; // the listening socket, closed just above
            int after = Syscalls.openFdCount();
            System.out.printf("connected %d, refused %d, timed out %d; fds before %d after %d%n",
                    counts[0], counts[1], counts[2], before, after);
            assertThat(counts).containsExactly(6000, 2000, 2000);
            // a leak raises the count; it may drop when the Cleaner closes a socket another test leaked
            assertThat(after).as("open descriptors after 10,000 sockets").isLessThanOrEqualTo(before);
        } finally {
            NET.path(2).restore();
        }
    }
}
