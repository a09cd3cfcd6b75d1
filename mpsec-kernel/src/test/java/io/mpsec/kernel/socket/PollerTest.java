package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.ffi.Syscalls;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poller that parks virtual threads, driven from platform threads (the build runs on Java 17;
 * {@link VirtualThreadsIT} covers virtual threads on 21+). Uses a TCP socket listening on 127.0.0.1
 * that nobody connects to (never ready for POLLIN) and an unconnected one (always ready for POLLOUT):
 * no privileges, no traffic.
 */
class PollerTest {
    private final List<FdHandle> handles = new ArrayList<>();

    @AfterEach
    void closeAll() {
        handles.forEach(FdHandle::close);
    }

    private FdHandle listening() throws Exception {
        int fd = Syscalls.socket(Syscalls.AF_INET, Syscalls.SOCK_STREAM | Syscalls.SOCK_NONBLOCK, Syscalls.IPPROTO_TCP);
        FdHandle h = new FdHandle(fd);
        handles.add(h);
        Syscalls.bind(fd, new byte[] {2, 0, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, "127.0.0.1:0");
        Syscalls.listen(fd, 1);
        return h;
    }

    @Test
    void timesOutAndLeavesNoRegistration() throws Exception {
        int before = Poller.forEvents(Syscalls.POLLIN).members();
        FdHandle h = listening();
        int fd = h.acquire();
        try {
            long t0 = System.nanoTime();
            assertThat(Poller.await(h, fd, Syscalls.POLLIN, 200)).isZero();
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(190L, 2000L);
        } finally {
            h.release();
        }
        assertThat(Poller.forEvents(Syscalls.POLLIN).registered()).isZero();
        assertThat(Poller.forEvents(Syscalls.POLLIN).members()).as("a wait without an event leaves the epoll set").isEqualTo(before);
    }

    @Test
    void readyDescriptorReturnsAtOnce() throws Exception {
        int fd = Syscalls.socket(Syscalls.AF_INET, Syscalls.SOCK_STREAM | Syscalls.SOCK_NONBLOCK, Syscalls.IPPROTO_TCP);
        FdHandle h = new FdHandle(fd);
        handles.add(h);
        h.acquire();
        try {
            // an unconnected TCP socket reports POLLOUT | POLLHUP
            assertThat(Poller.await(h, fd, Syscalls.POLLOUT, 5000) & Syscalls.POLLOUT).isNotZero();
        } finally {
            h.release();
        }
        assertThat(Poller.forEvents(Syscalls.POLLOUT).registered()).isZero();
    }

    @Test
    void descriptorJoinsOnceStaysBetweenWaitsAndLeavesBeforeClose() throws Exception {
        Poller write = Poller.forEvents(Syscalls.POLLOUT);
        int before = write.members();
        int fd = Syscalls.socket(Syscalls.AF_INET, Syscalls.SOCK_STREAM | Syscalls.SOCK_NONBLOCK, Syscalls.IPPROTO_TCP);
        FdHandle h = new FdHandle(fd);
        handles.add(h);
        h.acquire();
        try {
            for (int i = 0; i < 3; i++) {
                // each wait re-arms the one registration; the fired one-shot event disarms it
                assertThat(Poller.await(h, fd, Syscalls.POLLOUT, 5000) & Syscalls.POLLOUT).isNotZero();
                assertThat(write.members()).as("epoll set after wait " + i).isEqualTo(before + 1);
                assertThat(write.registered()).as("armed after wait " + i).isZero();
            }
        } finally {
            h.release();
        }
        h.close();
        assertThat(write.members()).as("removed from the epoll set by the close").isEqualTo(before);
        // the number is free again: a new socket on it (usually the same number) joins afresh
        int fd2 = Syscalls.socket(Syscalls.AF_INET, Syscalls.SOCK_STREAM | Syscalls.SOCK_NONBLOCK, Syscalls.IPPROTO_TCP);
        FdHandle h2 = new FdHandle(fd2);
        handles.add(h2);
        h2.acquire();
        try {
            assertThat(Poller.await(h2, fd2, Syscalls.POLLOUT, 5000) & Syscalls.POLLOUT).isNotZero();
        } finally {
            h2.release();
        }
        h2.close();
        assertThat(write.members()).isEqualTo(before);
    }

    @Test
    void closeWakesEveryWaiterOfOneDescriptor() throws Exception {
        FdHandle h = listening();
        List<CompletableFuture<Integer>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(CompletableFuture.supplyAsync(() -> {
                try {
                    int fd = h.acquire();
                    try {
                        return Poller.await(h, fd, Syscalls.POLLIN, -1);
                    } finally {
                        h.release();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, r -> new Thread(r).start()));
        }
        Thread.sleep(300);
        assertThat(waiters).noneMatch(CompletableFuture::isDone);
        assertThat(Poller.forEvents(Syscalls.POLLIN).registered()).isEqualTo(1);
        h.close();
        for (CompletableFuture<Integer> w : waiters) {
            assertThat(w.get(5, TimeUnit.SECONDS)).as("revents after close (shutdown)").isNotZero();
        }
        assertThat(Poller.forEvents(Syscalls.POLLIN).registered()).isZero();
    }

    @Test
    void interruptEndsTheWait() throws Exception {
        FdHandle h = listening();
        Thread[] waiter = new Thread[1];
        CompletableFuture<Integer> w = new CompletableFuture<>();
        waiter[0] = new Thread(() -> {
            try {
                int fd = h.acquire();
                try {
                    w.complete(Poller.await(h, fd, Syscalls.POLLIN, -1));
                } finally {
                    h.release();
                }
            } catch (Exception e) {
                w.completeExceptionally(e);
            }
        });
        waiter[0].start();
        Thread.sleep(200);
        waiter[0].interrupt();
        assertThat(w.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(h.isClosed()).as("the poller itself closes nothing; FdHandle does for virtual threads").isFalse();
    }
}
