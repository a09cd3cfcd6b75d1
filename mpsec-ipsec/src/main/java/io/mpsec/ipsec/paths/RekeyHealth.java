package io.mpsec.ipsec.paths;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A snapshot of an {@link AutoRekey}'s health, for metrics and the dashboard. Immutable; carries no
 * key material (error messages are one line, with anything that looks like a key redacted).
 *
 * @param state {@link State#RUNNING}, {@link State#DEGRADED} or {@link State#STOPPED}
 * @param activeGeneration the outbound generation last seen (the same for every peer address)
 * @param peers the remote addresses this generation protects traffic to
 * @param peerGenerations per remote address, the newest generation the peer was seen sending on
 *     (authenticated inbound traffic); absent until traffic arrived
 * @param lastRekeyAt when the outbound generation last changed, {@code null} before the first change
 * @param lastRekeyGeneration the generation it changed to, 0 before the first change
 * @param lastRekeyCause why it changed, {@code null} before the first change
 * @param rekeys how many times AutoRekey changed the outbound generation (own rekeys and following the peer)
 * @param lastError the last failure, {@code null} if there was none
 * @param consecutiveFailures failed attempts since everything last worked (0 while {@link State#RUNNING})
 * @param eventOverruns how many times the kernel dropped events because the receive buffer was full
 *     (ENOBUFS), over every subscription
 * @param firstOverrunAt when the first overrun was noticed, {@code null} if none
 * @param lastOverrunAt when the last overrun was noticed, {@code null} if none
 * @param resyncs how many times the state was re-checked because events may have been lost
 * @param skippedEvents notifications skipped because they did not decode
 * @param droppedEvents events dropped because AutoRekey's own queue was full (each also causes a re-check)
 * @param callbackFailures exceptions thrown by the rekey and health callbacks and event subscribers
 * @param subscriptionRestarts how many times the event subscription was opened again after it failed
 */
public record RekeyHealth(State state, long activeGeneration, List<InetAddress> peers,
        java.util.Map<InetAddress, Long> peerGenerations, Instant lastRekeyAt,
        long lastRekeyGeneration, Cause lastRekeyCause, long rekeys, Failure lastError, long consecutiveFailures,
        long eventOverruns, Instant firstOverrunAt, Instant lastOverrunAt, long resyncs, long skippedEvents,
        long droppedEvents, long callbackFailures, long subscriptionRestarts) {

    public RekeyHealth {
        peers = List.copyOf(peers);
        peerGenerations = java.util.Map.copyOf(peerGenerations);
    }

    /** The overall state. */
    public enum State {
        /** Subscribed to xfrm events, and the last attempt of everything succeeded. */
        RUNNING,
        /**
         * Still working, but the last attempt of something failed (a rekey, housekeeping, a callback
         * into {@link SecurePaths}) and is being retried with backoff, or the event subscription
         * failed and is being reopened (meanwhile housekeeping and the soft-limit check go on).
         */
        DEGRADED,
        /** {@link AutoRekey#close()} was called. */
        STOPPED
    }

    /** Why the outbound generation changed. */
    public enum Cause {
        /** The kernel reported a soft EXPIRE of an active outbound SA. */
        SOFT_EXPIRE,
        /**
         * The active generation outlived its soft time limit without a soft EXPIRE arriving (it may
         * have been lost in an overrun or while the subscription was down).
         */
        MISSED_EXPIRE,
        /** Housekeeping followed the peer to a newer generation ({@link SecurePaths#maintain}). */
        PEER
    }

    /**
     * One failure.
     *
     * @param at when it happened
     * @param operation what failed: "rekey" ({@link SecurePaths#rekeyOutbound}), "maintain"
     *     ({@link SecurePaths#maintain}), "soft-limit check", "event socket" (the subscription
     *     died), "subscribe" (reopening it failed), "callback" (a rekey or health callback or an
     *     event subscriber threw; does not make the state DEGRADED), "loop" (an unexpected error in
     *     AutoRekey itself)
     * @param message one line, no key material
     * @param exceptionClass the exception's class name
     */
    public record Failure(Instant at, String operation, String message, String exceptionClass) {
        private static final Pattern HEX = Pattern.compile("(?i)(0x)?[0-9a-f]{32,}");
        private static final int MAX_MESSAGE = 300;

        /** A failure from {@code t}: its message cut to one line, hex runs of 32+ digits redacted. */
        static Failure of(Instant at, String operation, Throwable t) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            int nl = m.indexOf('\n');
            m = HEX.matcher(nl >= 0 ? m.substring(0, nl) : m).replaceAll("<redacted>").replace('\r', ' ');
            if (m.length() > MAX_MESSAGE) {
                m = m.substring(0, MAX_MESSAGE) + "...";
            }
            return new Failure(at, operation, m, t.getClass().getName());
        }
    }
}
