package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.Epoll;
import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for socket readiness without blocking the calling thread in the kernel: the caller arms a
 * one-shot epoll registration of the descriptor and parks; a platform thread blocked in
 * {@code epoll_wait} hands it the ready events and unparks it. A parked virtual thread releases its
 * carrier, so thousands of virtual threads blocked in socket calls cost no platform thread each.
 * This is the design of the JDK's own socket implementation (sun.nio.ch.Poller): callers try the
 * non-blocking syscall first and come here only on EAGAIN.
 *
 * <p>Two pollers, each one daemon thread started on first use: one for reads and accepts (EPOLLIN),
 * one for writes and connects (EPOLLOUT), so a reader and a writer of one socket never share a
 * registration. A descriptor joins a poller's epoll set once ({@code EPOLL_CTL_ADD}) and stays in it
 * for its lifetime; each wait re-arms it ({@code EPOLL_CTL_MOD} with {@code EPOLLONESHOT}): one
 * syscall per wait, where add-and-delete per wait took two, and the fired event disarms it again.
 * The waiters of a descriptor sit in a {@link ConcurrentHashMap} keyed by the descriptor: arming and
 * disarming happen inside the map's per-key {@code compute}, so they are atomic per descriptor,
 * with no lock shared by all descriptors; the poller thread takes the whole waiter list of a ready
 * descriptor with one {@code remove}. Several threads may wait on one descriptor (concurrent
 * accepts); an event wakes all of them.
 *
 * <p>No descriptor number reuse window: a registration is armed only while a waiter holds the
 * descriptor open through its {@link FdHandle}; a wait that ends without an event (timeout,
 * interrupt, close) removes the registration ({@code EPOLL_CTL_DEL}) if it was the last waiter; and
 * {@link FdHandle} removes the descriptor from the epoll sets ({@link #forget}) before it closes it.
 * A stale event (already read by the poller thread when its registration went away) can only wake
 * a later waiter of the same number early, which then finds the syscall would still block and waits
 * again; connect checks readiness with poll(2) before it trusts a wake-up.
 */
final class Poller {
    /** Events read per {@code epoll_wait}, as in the JDK's poller. */
    private static final int MAX_EVENTS = 512;

    private final String name;
    private final int mask;
    /** This poller's bit in {@link FdHandle}'s set of epoll memberships. */
    private final int bit;
    private final Epoll epoll;
    /** The waiters per descriptor with an armed registration: the head of a list linked by {@link Waiter#next}. */
    private final ConcurrentHashMap<Integer, Waiter> waiters = new ConcurrentHashMap<>();
    /** Descriptors in this poller's epoll set (armed or not). */
    private final AtomicInteger members = new AtomicInteger();

    /** One thread waiting on one descriptor; {@code revents} is set by the poller thread before it unparks. */
    static final class Waiter {
        final Thread thread;
        volatile int revents;
        /** Changed only inside the map's compute for this descriptor, or after the poller removed the list. */
        Waiter next;

        Waiter(Thread thread) {
            this.thread = thread;
        }
    }

    private static final class Pollers {
        static final Poller READ = start("mpsec-poller-read", Epoll.EPOLLIN, FdHandle.READ_POLLER);
        static final Poller WRITE = start("mpsec-poller-write", Epoll.EPOLLOUT, FdHandle.WRITE_POLLER);
    }

    private Poller(String name, int mask, int bit, Epoll epoll) {
        this.name = name;
        this.mask = mask;
        this.bit = bit;
        this.epoll = epoll;
    }

    private static Poller start(String name, int mask, int bit) {
        Poller p;
        try {
            p = new Poller(name, mask, bit, Epoll.create(MAX_EVENTS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the epoll instance of " + name, e);
        }
        // Thread constructors make platform threads, also when called from a virtual thread.
        Thread t = new Thread(p::loop, name);
        t.setDaemon(true);
        t.start();
        return p;
    }

    /** The poller for POLLIN (reads, accepts) or POLLOUT (writes, connects) waits. */
    static Poller forEvents(short events) {
        return (events & Syscalls.POLLOUT) != 0 ? Pollers.WRITE : Pollers.READ;
    }

    /**
     * Parks the calling thread until {@code fd} (held open by the caller through {@code h}) is ready
     * for {@code events}, {@code h} is closed, {@code waitMillis} pass (-1 = forever) or the thread
     * is interrupted. Returns the ready events epoll reported (poll(2) bits), 0 on timeout or
     * interrupt (the caller checks which). Readiness can be stale by the time the caller runs: it
     * retries its syscall and waits again on EAGAIN.
     */
    static int await(FdHandle h, int fd, short events, int waitMillis) throws IOException {
        if (waitMillis == 0) {
            return Syscalls.poll(fd, events, 0);
        }
        Poller p = forEvents(events);
        long deadline = waitMillis > 0 ? System.nanoTime() + waitMillis * 1_000_000L : 0;
        Thread me = Thread.currentThread();
        Waiter w = new Waiter(me);
        p.register(h, fd, w);
        try {
            while (w.revents == 0 && !h.isClosed() && !me.isInterrupted()) {
                if (waitMillis < 0) {
                    LockSupport.park(h);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(h, left);
                }
            }
        } finally {
            if (w.revents == 0) {
                p.deregister(h, fd, w); // no event consumed it: take the armed registration back
            }
        }
        return w.revents;
    }

    /** Adds {@code w} to the waiters of {@code fd}; the first waiter arms the one-shot registration. */
    private void register(FdHandle h, int fd, Waiter w) throws IOException {
        try {
            waiters.compute(fd, (k, head) -> {
                if (head == null) {
                    arm(h, fd);
                }
                w.next = head;
                return w;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void arm(FdHandle h, int fd) {
        int events = mask | Epoll.EPOLLONESHOT;
        boolean member = h.inPoller(bit);
        // MOD re-arms a member, ADD joins; if the kernel disagrees (ENOENT, EEXIST), the other one
        int e = epoll.tryCtl(member ? Epoll.EPOLL_CTL_MOD : Epoll.EPOLL_CTL_ADD, fd, events);
        if (e == (member ? Errno.ENOENT : Errno.EEXIST)) {
            e = epoll.tryCtl(member ? Epoll.EPOLL_CTL_ADD : Epoll.EPOLL_CTL_MOD, fd, events);
        }
        if (e != 0) {
            throw new UncheckedIOException(Errors.newException("epoll_ctl(" + name + ", fd " + fd + ")", e));
        }
        if (!member) {
            h.inPoller(bit, true);
            members.incrementAndGet();
        }
    }

    /** Removes {@code w} if it is still waiting on {@code fd}; the last waiter removes the registration. */
    private void deregister(FdHandle h, int fd, Waiter w) {
        waiters.computeIfPresent(fd, (k, head) -> {
            Waiter rest = without(head, w);
            if (rest == null && head == w) {
                leave(h, fd);
            }
            return rest;
        });
    }

    /** The list {@code head} without {@code w} (unlinked in place; only called inside compute). */
    private static Waiter without(Waiter head, Waiter w) {
        if (head == w) {
            return w.next;
        }
        for (Waiter prev = head; prev.next != null; prev = prev.next) {
            if (prev.next == w) {
                prev.next = w.next;
                break;
            }
        }
        return head;
    }

    private void leave(FdHandle h, int fd) {
        try {
            epoll.ctl(Epoll.EPOLL_CTL_DEL, fd, 0);
        } catch (IOException ignored) {
            // the descriptor is still open (held by the waiter), so DEL cannot fail in practice
        }
        h.inPoller(bit, false);
        members.decrementAndGet();
    }

    /**
     * Removes {@code fd} from the epoll sets it joined, before {@link FdHandle} closes it. Nobody
     * waits on it any more (the handle's last operation has ended), so no registration is armed.
     */
    static void forget(FdHandle h, int fd) {
        if (h.inPoller(FdHandle.READ_POLLER)) {
            Pollers.READ.leave(h, fd);
        }
        if (h.inPoller(FdHandle.WRITE_POLLER)) {
            Pollers.WRITE.leave(h, fd);
        }
    }

    /** Descriptors with an armed registration (someone waits on them), for tests. */
    int registered() {
        return waiters.size();
    }

    /** Descriptors in this poller's epoll set, armed or not, for tests. */
    int members() {
        return members.get();
    }

    private void loop() {
        while (true) {
            int n;
            try {
                n = epoll.await(-1);
            } catch (IOException e) {
                // cannot happen with a valid epoll descriptor; keep serving rather than strand waiters
                LockSupport.parkNanos(10_000_000L);
                continue;
            }
            for (int i = 0; i < n; i++) {
                // the one-shot event disarmed the registration: its waiters leave the map with it
                Waiter w = waiters.remove(epoll.fd(i));
                int revents = epoll.events(i) & 0xffff; // EPOLLIN/OUT/ERR/HUP have poll(2)'s values
                if (revents == 0) {
                    revents = mask; // never happens; a zero would leave the waiter parked
                }
                for (; w != null; w = w.next) {
                    w.revents = revents;
                    LockSupport.unpark(w.thread);
                }
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
