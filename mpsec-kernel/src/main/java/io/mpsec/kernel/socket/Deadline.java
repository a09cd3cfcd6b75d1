package io.mpsec.kernel.socket;

import java.net.SocketTimeoutException;

/** An SO_TIMEOUT-style deadline for one blocking call; a timeout of 0 waits forever. */
final class Deadline {
    private static final Deadline NONE = new Deadline(false, 0);

    private final boolean bounded;
    private final long deadlineNanos;

    private Deadline(boolean bounded, long deadlineNanos) {
        this.bounded = bounded;
        this.deadlineNanos = deadlineNanos;
    }

    /** A deadline {@code timeoutMillis} from now; 0 or less waits forever (and allocates nothing). */
    static Deadline after(int timeoutMillis) {
        return timeoutMillis > 0 ? new Deadline(true, System.nanoTime() + timeoutMillis * 1_000_000L) : NONE;
    }

    /**
     * Like {@link #after(int)}, ended earlier by {@code capNanos} ({@link System#nanoTime()} value;
     * 0 = no cap).
     */
    static Deadline after(int timeoutMillis, long capNanos) {
        if (capNanos == 0) {
            return after(timeoutMillis);
        }
        long own = System.nanoTime() + timeoutMillis * 1_000_000L;
        return new Deadline(true, timeoutMillis > 0 && own - capNanos < 0 ? own : capNanos);
    }

    /**
     * Milliseconds left, as poll(2) wants them (-1 = forever).
     *
     * @throws SocketTimeoutException with {@code message} when the deadline has passed
     */
    int remainingMillis(String message) throws SocketTimeoutException {
        if (!bounded) {
            return -1;
        }
        long leftNanos = deadlineNanos - System.nanoTime();
        if (leftNanos <= 0) {
            throw new SocketTimeoutException(message);
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, leftNanos / 1_000_000L));
    }
}
