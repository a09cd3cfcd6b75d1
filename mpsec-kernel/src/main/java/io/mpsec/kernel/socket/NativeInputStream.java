package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.SocketErrors;
import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The input stream of an MPSec socket. {@code recv(2)} writes straight into the caller's array (a
 * pinned heap buffer, see {@link io.mpsec.kernel.ffi.LibC#recv}): no copy through native memory,
 * no allocation per call. A platform thread without SO_TIMEOUT on a descriptor still in blocking mode
 * blocks in recv itself ({@link BlockingIo}); otherwise, with nothing to read, the stream waits for
 * POLLIN through {@link FdHandle#await}, which honors SO_TIMEOUT and parks virtual threads.
 */
final class NativeInputStream extends InputStream {
    private final MptcpSocketImpl impl;
    private final ReentrantLock lock = new ReentrantLock();
    private final byte[] one = new byte[1];
    private final HeapBuffers buffers = new HeapBuffers();
    private boolean eof;
    /** Set once a read saw a reset: every later read fails the same way, as on a JDK socket. */
    private boolean reset;

    NativeInputStream(MptcpSocketImpl impl) {
        this.impl = impl;
    }

    @Override
    public int read() throws IOException {
        lock.lock();
        try {
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            FdHandle h = impl.handleOrThrow();
            if (reset) {
                throw new SocketException(SocketErrors.CONNECTION_RESET);
            }
            if (eof || impl.inputShutdown()) {
                return -1;
            }
            ByteBuffer buf = buffers.wrap(b);
            buf.limit(off + len).position(off);
            int fd = h.acquire();
            try {
                int n = receive(h, fd, buf, len, impl.timeoutMillis());
                if (n < 0) {
                    eof = true;
                }
                return n;
            } catch (SocketException e) {
                reset |= SocketErrors.CONNECTION_RESET.equals(e.getMessage()) && !h.isClosed();
                throw h.closedOr(e);
            } finally {
                h.release();
                buffers.done(b);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads into {@code dst} from its position (at least one byte, blocking; SO_TIMEOUT applies) and
     * advances the position; -1 at end of stream. Direct and heap buffers go to recv(2) without a copy;
     * a read-only or array-less buffer is rejected as {@code ReadableByteChannel} would.
     */
    int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        lock.lock();
        try {
            FdHandle h = impl.handleOrThrow();
            if (reset) {
                throw new SocketException(SocketErrors.CONNECTION_RESET);
            }
            if (eof || impl.inputShutdown()) {
                return -1;
            }
            int fd = h.acquire();
            try {
                int n = receive(h, fd, dst, dst.remaining(), impl.timeoutMillis());
                if (n < 0) {
                    eof = true;
                } else {
                    dst.position(dst.position() + n);
                }
                return n;
            } catch (SocketException e) {
                reset |= SocketErrors.CONNECTION_RESET.equals(e.getMessage()) && !h.isClosed();
                throw h.closedOr(e);
            } finally {
                h.release();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Reads up to {@code len} bytes into {@code buf} at its position; -1 at end of stream. */
    static int receive(FdHandle h, int fd, ByteBuffer buf, int len, int timeoutMillis) throws IOException {
        Deadline deadline = Deadline.after(timeoutMillis);
        while (true) {
            boolean nonBlocking = h.nonBlocking(fd, timeoutMillis > 0);
            long n = nonBlocking ? Syscalls.recv(fd, buf, len) : BlockingIo.recv(fd, buf, len);
            if (n > 0) {
                return (int) n; // data is data, even if a close raced with the call
            }
            if (h.isClosed()) {
                throw new SocketException("Socket closed"); // the close's shutdown(2) may look like EOF
            }
            if (n == 0) {
                return -1;
            }
            if (nonBlocking) {
                // -EAGAIN: wait for data (in blocking mode -EAGAIN means the mode just changed: try again)
                h.await(fd, Syscalls.POLLIN, deadline.remainingMillis("Read timed out"));
            }
        }
    }

    @Override
    public int available() throws IOException {
        return impl.available();
    }

    @Override
    public void close() throws IOException {
        // java.net.Socket wraps this stream and closes the socket itself
    }
}
