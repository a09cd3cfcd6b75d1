package io.mpsec.metrics;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * A value read from the kernel at most once per {@code maxAgeNanos}, so that the many meters of one
 * scrape share one read. A failed read keeps the last good value (meters must not throw) and is
 * counted in {@link #failures()}.
 */
final class Cached<T> {
    /** A read that may fail. */
    @FunctionalInterface
    interface Reader<T> {
        T read() throws IOException;
    }

    private final Reader<T> reader;
    private final long maxAgeNanos;
    private final LongSupplier clock;
    private T value;
    private long readAt;
    private boolean read;
    private long failures;
    private String lastError;

    Cached(Reader<T> reader, T initial, long maxAgeNanos, LongSupplier clock) {
        this.reader = reader;
        this.value = initial;
        this.maxAgeNanos = maxAgeNanos;
        this.clock = clock;
    }

    /** The value, read again when older than the maximum age. */
    synchronized T get() {
        long now = clock.getAsLong();
        if (!read || now - readAt >= maxAgeNanos) {
            refresh(now);
        }
        return value;
    }

    /** The value of the last read (the initial value before any), without reading. */
    synchronized T peek() {
        return value;
    }

    /** Reads now, whatever the age. */
    synchronized T refresh() {
        refresh(clock.getAsLong());
        return value;
    }

    private void refresh(long now) {
        readAt = now;
        read = true;
        try {
            value = reader.read();
            lastError = null;
        } catch (IOException | RuntimeException e) {
            failures++;
            lastError = e.getMessage();
        }
    }

    synchronized long failures() {
        return failures;
    }

    synchronized String lastError() {
        return lastError;
    }
}
