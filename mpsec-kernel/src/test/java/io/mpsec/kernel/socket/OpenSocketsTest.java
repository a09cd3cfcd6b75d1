package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SocketLeaks#open()} follows opens, closes and collected sockets. Sockets on 127.0.0.1 in the
 * test's own namespace: no traffic beyond loopback, no privileges.
 */
class OpenSocketsTest {
    @Test
    void openSocketsCountOpensClosesAndCollectedSockets() throws Exception {
        long before = SocketLeaks.open();
        List<MpsecServerSocket> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            servers.add(new MpsecServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        }
        assertThat(SocketLeaks.open() - before).isEqualTo(3);
        try (MpsecSocket client = new MpsecSocket(InetAddress.getLoopbackAddress(), servers.get(0).getLocalPort());
                java.net.Socket accepted = servers.get(0).accept()) {
            assertThat(SocketLeaks.open() - before).as("a client and an accepted socket").isEqualTo(5);
        }
        assertThat(SocketLeaks.open() - before).isEqualTo(3);
        servers.get(0).close();
        servers.get(0).close(); // a second close counts nothing
        assertThat(SocketLeaks.open() - before).isEqualTo(2);
        servers.clear(); // the other two are dropped unclosed: the cleaner closes and uncounts them
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (SocketLeaks.open() > before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(SocketLeaks.open()).isEqualTo(before);
    }
}
