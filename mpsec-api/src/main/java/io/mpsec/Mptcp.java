package io.mpsec;

import io.mpsec.spi.MpsecProvider;

/**
 * Whether this host can create MPTCP sockets, probed once per JVM (in the network namespace the JVM
 * started in), in the style of Netty's {@code Epoll.isAvailable()}.
 *
 * <pre>{@code
 * if (!Mptcp.isAvailable()) {
 *     log.warn("running on plain TCP: {}", Mptcp.unavailabilityCause().getMessage());
 * }
 * }</pre>
 *
 * <p>A socket that cannot use MPTCP still works with {@link FallbackPolicy#ALLOW_TCP}; this class
 * explains why. {@code net.mptcp.enabled} is a per-namespace setting, so each socket also records
 * its own reason ({@link MpsecSocket#fallbackCause()}).
 */
public final class Mptcp {
    private Mptcp() {
    }

    /** {@code true} when an MPTCP socket could be created here. */
    public static boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /** Throws {@link MptcpUnavailableException} naming the cause when MPTCP is not available. */
    public static void ensureAvailability() throws MptcpUnavailableException {
        Throwable cause = unavailabilityCause();
        if (cause != null) {
            throw new MptcpUnavailableException("MPTCP is not available: " + cause.getMessage(), cause);
        }
    }

    /**
     * MPSec sockets that became unreachable without being closed since the JVM started. Their
     * descriptors were closed when the garbage collector found them (a {@link java.lang.ref.Cleaner});
     * a count that grows means a missing {@code close()} (use try-with-resources).
     */
    public static long leakedSockets() {
        return MpsecProvider.get().leakedSockets();
    }

    /** Why MPTCP is unavailable, or {@code null} when it is available. */
    public static Throwable unavailabilityCause() {
        return MpsecProvider.get().mptcpUnavailabilityCause();
    }
}
