package io.mpsec.kernel.socket;

import java.net.SocketTimeoutException;

/** An SO_TIMEOUT-style deadline for one blocking call; a timeout of 0 waits forever. */
final class Deadline {
    private final int timeoutMillis;
    private final long deadlineNanos;

    private Deadline(int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
        this.deadlineNanos = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000L : 0;
    }

    private static final Deadline NONE = new Deadline(0);

    /** A deadline {@code timeoutMillis} from now; 0 or less waits forever (and allocates nothing). */
    static Deadline after(int timeoutMillis) {
        return timeoutMillis > 0 ? new Deadline(timeoutMillis) : NONE;
    }

    /**
     * Milliseconds left, as poll(2) wants them (-1 = forever).
     *
     * @throws SocketTimeoutException with {@code message} when the deadline has passed
     */
    int remainingMillis(String message) throws SocketTimeoutException {
        if (timeoutMillis <= 0) {
            return -1;
        }
        int left = (int) ((deadlineNanos - System.nanoTime()) / 1_000_000L);
        if (left <= 0) {
            throw new SocketTimeoutException(message);
        }
        return left;
    }
}
