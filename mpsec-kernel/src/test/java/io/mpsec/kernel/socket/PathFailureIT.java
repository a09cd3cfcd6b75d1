package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.testbed.Testbed;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Losing a path in the middle of a transfer loses nothing: SHA-256 sent == SHA-256 received. */
class PathFailureIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 100).mptcpLimits(4, 4).build();

    private static final long BYTES = 80_000_000;

    @Test
    void linkDownOnPathOneLosesNothing() throws Exception {
        transferWhile(p -> p.cut());
    }

    @Test
    void nftDropOnPathOneLosesNothing() throws Exception {
        transferWhile(p -> p.blackhole());
    }

    private void transferWhile(java.util.function.Consumer<Testbed.Path> failure) throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        c.execOk("ip", "mptcp", "endpoint", "add", c.address(2).getHostAddress(), "dev", c.iface(2), "subflow");
        InetAddress addr = s.address(1);
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr))) {
            CompletableFuture<Payload.Received> rx = CompletableFuture.supplyAsync(() -> {
                try (MpsecSocket peer = server.accept(); InputStream in = peer.getInputStream()) {
                    return Payload.receive(in);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            AtomicBoolean cut = new AtomicBoolean();
            String sent;
            long path2Before = NET.path(2).bytes(c);
            try (MpsecSocket socket = c.call(() -> new MpsecSocket(addr, server.getLocalPort()))) {
                sent = Payload.send(socket.getOutputStream(), BYTES, 7, n -> {
                    if (n > BYTES / 4 && cut.compareAndSet(false, true)) {
                        failure.accept(NET.path(1));
                    }
                });
                socket.shutdownOutput();
                Payload.Received r = rx.get(120, TimeUnit.SECONDS);
                System.out.printf("received %d bytes, longest receive gap %d ms, path 2 carried %d bytes%n",
                        r.bytes(), r.longestGapMillis(), NET.path(2).bytes(c) - path2Before);
                assertThat(r.bytes()).isEqualTo(BYTES);
                assertThat(r.sha256()).isEqualTo(sent);
                assertThat(NET.path(2).bytes(c) - path2Before).as("path 2 carried the rest").isGreaterThan(BYTES / 2);
            } finally {
                NET.path(1).restore();
            }
        }
    }
}
