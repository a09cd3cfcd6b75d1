package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.ffi.Syscalls;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/**
 * The descriptor stays allocated while an operation is in flight, even after close(), so its
 * number cannot be reused under a blocked thread; it is closed exactly once.
 * Uses an unconnected TCP socket (no privileges, no network).
 */
class FdHandleTest {
    private static boolean isOpen(int fd) {
        return Syscalls.libc().fcntl(fd, Syscalls.F_GETFL, 0) >= 0;
    }

    private static boolean nonBlockingFlag(int fd) throws Exception {
        return (Syscalls.getFlags(fd) & Syscalls.O_NONBLOCK) != 0;
    }

    @Test
    void descriptorStaysBlockingForUntimedPlatformThreadsAndSwitchesOnceWhenTimed() throws Exception {
        int fd = Syscalls.socket(Syscalls.AF_INET, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_TCP);
        FdHandle h = new FdHandle(fd, false);
        try {
            assertThat(h.nonBlocking(fd, false)).isFalse();
            assertThat(nonBlockingFlag(fd)).as("O_NONBLOCK (fcntl) after an untimed platform-thread call").isFalse();
            assertThat(h.nonBlocking(fd, true)).isTrue();
            assertThat(nonBlockingFlag(fd)).as("O_NONBLOCK after a timed call").isTrue();
            assertThat(h.nonBlocking(fd, false)).as("the switch is for good").isTrue();
            assertThat(nonBlockingFlag(fd)).isTrue();
        } finally {
            h.close();
        }
    }

    @Test
    void closeWithoutUsersClosesAtOnce() throws Exception {
        int fd = Syscalls.socket(Syscalls.AF_INET, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_TCP);
        FdHandle h = new FdHandle(fd);
        assertThat(h.close()).isTrue();
        assertThat(isOpen(fd)).isFalse();
        assertThat(h.close()).as("second close is a no-op").isFalse();
        assertThatThrownBy(h::acquire).isInstanceOf(SocketException.class).hasMessage("Socket closed");
    }

    @Test
    void inFlightOperationKeepsTheNumberUntilItReleases() throws Exception {
        int fd = Syscalls.socket(Syscalls.AF_INET, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_TCP);
        FdHandle h = new FdHandle(fd);
        h.acquire();
        h.acquire();
        assertThat(h.close()).isTrue();
        assertThat(h.isClosed()).isTrue();
        assertThat(isOpen(fd)).as("still held by two operations").isTrue();
        h.release();
        assertThat(isOpen(fd)).as("still held by one operation").isTrue();
        h.release();
        assertThat(isOpen(fd)).as("closed by the last release").isFalse();
    }

    @Test
    void fdCountReturnsToStart() throws Exception {
        int before = Syscalls.openFdCount();
        for (int i = 0; i < 1000; i++) {
            FdHandle h = new FdHandle(Syscalls.socket(Syscalls.AF_INET, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_TCP));
            h.acquire();
            h.close();
            h.release();
        }
        assertThat(Syscalls.openFdCount()).isEqualTo(before);
    }
}
