package io.mpsec.kernel.socket;

import java.nio.ByteBuffer;

/**
 * A reusable {@link ByteBuffer} view of the caller's array, so a stream that is handed the same
 * array again and again (the usual loop) allocates nothing per call. Arrays above
 * {@link #KEEP_LIMIT} are let go after each call, so a socket never keeps a large array alive.
 * Not thread-safe: used under the stream's lock.
 */
final class HeapBuffers {
    static final int KEEP_LIMIT = 1 << 20;

    private ByteBuffer wrapped;

    /** A buffer over all of {@code b}; position and limit are the caller's to set. */
    ByteBuffer wrap(byte[] b) {
        ByteBuffer w = wrapped;
        if (w == null || w.array() != b) {
            w = ByteBuffer.wrap(b);
            wrapped = w;
        }
        return w;
    }

    /** Ends a call with {@code b}: drops the view if the array is large. */
    void done(byte[] b) {
        if (b.length > KEEP_LIMIT) {
            wrapped = null;
        }
    }
}
