package io.mpsec.spi;

import io.mpsec.FallbackPolicy;
import io.mpsec.MptcpConnectionInfo;
import io.mpsec.SubflowInfo;
import java.io.IOException;
import java.net.SocketImpl;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The {@link SocketImpl} behind {@link io.mpsec.MpsecSocket} and {@link io.mpsec.MpsecServerSocket},
 * extended with the MPTCP queries they expose. Implemented by {@code mpsec-kernel}.
 */
public abstract class MpsecSocketImpl extends SocketImpl {
    /** Per-thread cap on accept calls, for {@link io.mpsec.MpsecServerSocket}'s REQUIRE_MPTCP loop. */
    private static final ThreadLocal<long[]> ACCEPT_DEADLINE = new ThreadLocal<>();

    /**
     * Makes accept calls on the calling thread end by {@code nanoTime} ({@link System#nanoTime()})
     * at the latest, on top of SO_TIMEOUT; 0 removes the cap. Lets one {@code accept()} that accepts
     * several connections keep a single deadline without changing the socket's SO_TIMEOUT, which
     * concurrent callers share. Always cleared in a finally block.
     */
    public static void acceptDeadline(long nanoTime) {
        if (nanoTime == 0) {
            ACCEPT_DEADLINE.remove();
        } else {
            ACCEPT_DEADLINE.set(new long[] {nanoTime});
        }
    }

    /** The calling thread's accept cap ({@link #acceptDeadline(long)}), or 0. */
    protected static long acceptDeadline() {
        long[] d = ACCEPT_DEADLINE.get();
        return d == null ? 0 : d[0];
    }
    /** Whether the connection currently runs MPTCP (false after a fallback to TCP). */
    public abstract boolean isMultipath() throws IOException;

    /** The decoded MPTCP_INFO of the connection. */
    public abstract MptcpConnectionInfo connectionInfo() throws IOException;

    /** The subflows of the connection (one entry for a fallen-back connection is not guaranteed). */
    public abstract List<SubflowInfo> subflows() throws IOException;

    /** Why this socket is plain TCP although MPTCP was asked for, or {@code null}. */
    public abstract String fallbackCause();

    /** The fallback policy currently set on this socket. */
    public abstract FallbackPolicy fallbackPolicy();

    /** Marks this implementation as a listening socket's (SO_REUSEADDR on, as the JDK does). */
    public abstract void markServerSocket();

    /** Sets the fallback policy (same as the FALLBACK_POLICY option, without creating the socket). */
    public abstract void configureFallbackPolicy(FallbackPolicy policy);

    /**
     * Reads into {@code dst} from its position, blocking for at least one byte (SO_TIMEOUT applies);
     * returns the count, or -1 at end of stream. Shares the input stream's lock.
     */
    public abstract int read(ByteBuffer dst) throws IOException;

    /** Writes all remaining bytes of {@code src}, blocking; returns the count. Shares the output stream's lock. */
    public abstract int write(ByteBuffer src) throws IOException;

    /** Whether {@link #close()} has been called. */
    public abstract boolean isClosed();
}
