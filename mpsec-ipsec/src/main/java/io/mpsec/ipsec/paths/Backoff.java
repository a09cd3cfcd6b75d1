package io.mpsec.ipsec.paths;

/** Retry delays of one failure path: 1 s, doubling up to 30 s; back to 1 s after a success. */
final class Backoff {
    static final long MIN_MILLIS = 1000;
    static final long MAX_MILLIS = 30_000;
    private long next = MIN_MILLIS;

    /** The delay before the next attempt; the one after it doubles (up to {@link #MAX_MILLIS}). */
    long next() {
        long d = next;
        next = Math.min(next * 2, MAX_MILLIS);
        return d;
    }

    void reset() {
        next = MIN_MILLIS;
    }
}
