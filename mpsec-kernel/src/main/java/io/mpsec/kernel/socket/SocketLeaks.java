package io.mpsec.kernel.socket;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes the descriptor of a socket that became unreachable without being closed, and counts it
 * ({@link #count()}, {@code io.mpsec.Mptcp.leakedSockets()}). The registered action holds only the
 * {@link FdHandle}, never the socket, so it cannot keep the socket reachable. An explicit close runs
 * the action too, but the handle is then already closed and nothing is counted.
 */
public final class SocketLeaks {
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "mpsec-socket-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final AtomicLong LEAKED = new AtomicLong();

    private SocketLeaks() {
    }

    /** Sockets closed by the cleaner since the JVM started: each one was never closed by its owner. */
    public static long count() {
        return LEAKED.get();
    }

    static Cleaner.Cleanable register(Object socket, FdHandle handle) {
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
            if (handle.close()) {
                LEAKED.incrementAndGet();
            }
        }
    }
}
