package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.Epoll;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for socket readiness without blocking the calling thread in the kernel: the caller
 * registers the descriptor with an epoll instance and parks; a platform thread blocked in
 * {@code epoll_wait} unparks it when the descriptor becomes ready. A parked virtual thread releases
 * its carrier, so thousands of virtual threads blocked in socket calls cost no platform thread each.
 * This is the design of the JDK's own socket implementation (sun.nio.ch.Poller).
 *
 * <p>Two pollers, each one daemon thread started on first use: one for reads and accepts
 * (EPOLLIN), one for writes and connects (EPOLLOUT), so a reader and a writer of one socket never
 * share a registration. Registrations are one-shot; several threads may wait on one descriptor
 * (concurrent accepts), and every event wakes all of them to re-check. A descriptor is removed from
 * the epoll set (EPOLL_CTL_DEL) by its last waiter, while that waiter still holds it open through
 * {@link FdHandle}, so a closed and reused number is never left registered.
 */
final class Poller {
    private final String name;
    private final int mask;
    private final Epoll epoll;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}: the waiters per registered descriptor. */
    private final Map<Integer, Entry> entries = new HashMap<>();

    /** Threads waiting on one descriptor; {@code armed} until the one-shot registration fires. */
    private static final class Entry {
        final List<Thread> waiters = new ArrayList<>(2);
        boolean armed;
    }

    private static final class Pollers {
        static final Poller READ = start("mpsec-poller-read", Epoll.EPOLLIN);
        static final Poller WRITE = start("mpsec-poller-write", Epoll.EPOLLOUT);
    }

    private Poller(String name, int mask, Epoll epoll) {
        this.name = name;
        this.mask = mask;
        this.epoll = epoll;
    }

    private static Poller start(String name, int mask) {
        Poller p;
        try {
            p = new Poller(name, mask, Epoll.create(64));
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
     * is interrupted. Returns the revents, 0 on timeout or interrupt (the caller checks which).
     */
    static int await(FdHandle h, int fd, short events, int waitMillis) throws IOException {
        Poller p = forEvents(events);
        long deadline = waitMillis > 0 ? System.nanoTime() + waitMillis * 1_000_000L : 0;
        Thread me = Thread.currentThread();
        while (true) {
            p.register(fd, me);
            try {
                if (waitMillis < 0) {
                    LockSupport.park(h);
                } else if (waitMillis > 0) {
                    LockSupport.parkNanos(h, deadline - System.nanoTime());
                }
            } finally {
                p.deregister(fd, me);
            }
            // wake-ups can be spurious or stale: poll(2) with timeout 0 says what is true now
            int revents = Syscalls.poll(fd, events, 0);
            if (revents != 0 || h.isClosed() || me.isInterrupted() || waitMillis == 0
                    || (waitMillis > 0 && deadline - System.nanoTime() <= 0)) {
                return revents;
            }
        }
    }

    void register(int fd, Thread waiter) throws IOException {
        synchronized (lock) {
            Entry e = entries.get(fd);
            if (e == null) {
                epoll.ctl(Epoll.EPOLL_CTL_ADD, fd, mask | Epoll.EPOLLONESHOT);
                e = new Entry();
                e.armed = true;
                entries.put(fd, e);
            } else if (!e.armed) {
                epoll.ctl(Epoll.EPOLL_CTL_MOD, fd, mask | Epoll.EPOLLONESHOT);
                e.armed = true;
            }
            e.waiters.add(waiter);
        }
    }

    void deregister(int fd, Thread waiter) {
        synchronized (lock) {
            Entry e = entries.get(fd);
            if (e == null || !e.waiters.remove(waiter) || !e.waiters.isEmpty()) {
                return;
            }
            entries.remove(fd);
            try {
                epoll.ctl(Epoll.EPOLL_CTL_DEL, fd, 0);
            } catch (IOException ignored) {
                // the descriptor is still open (held by the waiter), so DEL cannot fail in practice
            }
        }
    }

    /** Registered descriptors, for tests. */
    int registered() {
        synchronized (lock) {
            return entries.size();
        }
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
            synchronized (lock) {
                for (int i = 0; i < n; i++) {
                    Entry e = entries.get(epoll.fd(i));
                    if (e != null) {
                        e.armed = false;
                        for (Thread t : e.waiters) {
                            LockSupport.unpark(t);
                        }
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
