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

    static Deadline after(int timeoutMillis) {
        return new Deadline(timeoutMillis);
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
