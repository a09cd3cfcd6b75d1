package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.MpsecServerSocket;
import io.mpsec.Mptcp;
import io.mpsec.kernel.ffi.Syscalls;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * A socket that is dropped without close() gets its descriptor closed by the cleaner and is counted;
 * a closed one is not counted. Listening sockets on 127.0.0.1 in the test's own namespace: no
 * traffic, no privileges.
 */
class SocketLeaksTest {
    @Test
    void droppedSocketsAreClosedAndCounted() throws Exception {
        int fdsBefore = Syscalls.openFdCount();
        long before = Mptcp.leakedSockets();
        for (int i = 0; i < 20; i++) {
            new MpsecServerSocket(0, 1, InetAddress.getLoopbackAddress()).close();
        }
        assertThat(Mptcp.leakedSockets()).as("closed sockets are not leaks").isEqualTo(before);
        for (int i = 0; i < 20; i++) {
            leak();
        }
        assertThat(Syscalls.openFdCount()).isGreaterThanOrEqualTo(fdsBefore + 20);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (Mptcp.leakedSockets() < before + 20 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(Mptcp.leakedSockets() - before).as("leaks counted").isEqualTo(20);
        assertThat(Syscalls.openFdCount()).as("descriptors closed by the cleaner").isEqualTo(fdsBefore);
    }

    private static void leak() throws Exception {
        new MpsecServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }
}
