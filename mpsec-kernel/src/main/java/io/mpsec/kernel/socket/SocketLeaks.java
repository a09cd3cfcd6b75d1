package io.mpsec.kernel.socket;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes the descriptor of a socket that became unreachable without being closed, and counts it
 * ({@link #count()}, {@code io.mpsec.Mptcp.leakedSockets()}). The registered action holds only the
 * {@link FdHandle}, never the socket, so it cannot keep the socket reachable. An explicit close runs
 * the action too, but the handle is then already closed and nothing is counted.
 *
 * <p>The same registrations give the number of MPSec sockets open in this JVM ({@link #open()}):
 * every socket that got a kernel descriptor is registered once, and its action runs exactly once,
 * at its close or when the cleaner finds it unreachable.
 */
public final class SocketLeaks {
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "mpsec-socket-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final AtomicLong LEAKED = new AtomicLong();
    private static final AtomicLong OPEN = new AtomicLong();

    private SocketLeaks() {
    }

    /** Sockets closed by the cleaner since the JVM started: each one was never closed by its owner. */
    public static long count() {
        return LEAKED.get();
    }

    /**
     * MPSec sockets (client, accepted and server sockets) of this JVM that have a kernel descriptor
     * and were neither closed nor collected. Netty channels ({@code io.mpsec.netty}) are not counted.
     */
    public static long open() {
        return OPEN.get();
    }

    static Cleaner.Cleanable register(Object socket, FdHandle handle) {
        OPEN.incrementAndGet();
        return CLEANER.register(socket, new Action(handle));
    }

    /** Closes the handle; counts a leak when it was still open. */
    private static final class Action implements Runnable {
        private final FdHandle handle;

        Action(FdHandle handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            OPEN.decrementAndGet(); // a Cleanable runs its action at most once
            if (handle.close()) {
                LEAKED.incrementAndGet();
            }
        }
    }
}
