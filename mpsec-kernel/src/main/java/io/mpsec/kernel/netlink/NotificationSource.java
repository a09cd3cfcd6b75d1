package io.mpsec.kernel.netlink;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Base of the typed event listeners (mptcp_pm events, rtnetlink link and address events): the
 * health of the {@link NotificationPump} thread that feeds them, the same for every listener.
 */
public abstract class NotificationSource implements AutoCloseable {
    /** Set once by the subclass's factory, right after construction. */
    protected volatile NotificationPump pump;

    /** The receive error that stopped the listener thread, or {@code null} while it runs. */
    public IOException failure() {
        return pump.failure();
    }

    /** Calls {@code listener} once if the listener thread stops on an error; at once if it already has. */
    public void onFailure(Consumer<IOException> listener) {
        pump.onFailure(listener);
    }

    /**
     * Calls {@code listener} (on the listener thread) when the kernel dropped events because the
     * socket buffer overflowed ({@code ENOBUFS}); state built from events may then be stale.
     */
    public void onOverrun(Runnable listener) {
        pump.onOverrun(listener);
    }

    /** How many times events were lost to a receive-buffer overflow (ENOBUFS). */
    public long overruns() {
        return pump.overruns();
    }

    /** How many messages were skipped because they did not decode. */
    public long skipped() {
        return pump.skipped();
    }
}
