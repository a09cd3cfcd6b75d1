package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The output stream of an MPSec socket. {@code send(2)} reads straight from the caller's array (a
 * pinned heap buffer, see {@link io.mpsec.kernel.ffi.LibC#send}): no copy through native memory,
 * no chunking, no allocation per call. On a descriptor still in blocking mode a platform thread
 * blocks in send itself when the send buffer is full ({@link BlockingIo}); otherwise (a partial send
 * or EAGAIN) the stream waits for POLLOUT through {@link FdHandle#await}, then sends the rest.
 */
final class NativeOutputStream extends OutputStream {
    private final MptcpSocketImpl impl;
    private final ReentrantLock lock = new ReentrantLock();
    private final byte[] one = new byte[1];
    private final HeapBuffers buffers = new HeapBuffers();

    NativeOutputStream(MptcpSocketImpl impl) {
        this.impl = impl;
    }

    @Override
    public void write(int b) throws IOException {
        lock.lock();
        try {
            one[0] = (byte) b;
            write(one, 0, 1);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        lock.lock();
        try {
            FdHandle h = impl.handleOrThrow();
            if (impl.outputShutdown()) {
                throw new SocketException("Socket output is shutdown");
            }
            if (len == 0) {
                return;
            }
            ByteBuffer buf = buffers.wrap(b);
            int fd = h.acquire();
            try {
                sendFully(h, fd, buf, off, off + len);
            } catch (SocketException e) {
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
     * Writes all remaining bytes of {@code src} (blocking) and advances its position to its limit.
     * Direct and heap buffers go to send(2) without a copy; a read-only heap buffer, whose array is
     * out of reach, is copied in chunks.
     */
    int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        if (!src.isDirect() && !src.hasArray()) {
            byte[] chunk = new byte[Math.min(n, 64 * 1024)];
            while (src.hasRemaining()) {
                int c = Math.min(chunk.length, src.remaining());
                src.get(chunk, 0, c);
                write(chunk, 0, c);
            }
            return n;
        }
        lock.lock();
        try {
            FdHandle h = impl.handleOrThrow();
            if (impl.outputShutdown()) {
                throw new SocketException("Socket output is shutdown");
            }
            if (n == 0) {
                return 0;
            }
            int limit = src.limit();
            int fd = h.acquire();
            try {
                sendFully(h, fd, src, src.position(), limit);
                src.limit(limit).position(limit);
            } catch (SocketException e) {
                src.limit(limit);
                throw h.closedOr(e);
            } finally {
                h.release();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Writes {@code buf[from, to)} (absolute indexes; position and limit are overwritten). */
    static void sendFully(FdHandle h, int fd, ByteBuffer buf, int from, int to) throws IOException {
        int pos = from;
        while (true) {
            buf.limit(to).position(pos);
            boolean nonBlocking = h.nonBlocking(fd, false);
            long n = nonBlocking ? Syscalls.send(fd, buf, to - pos) : BlockingIo.send(fd, buf, to - pos);
            if (n > 0) {
                pos += (int) n;
                if (pos == to) {
                    return; // sent, even if a close raced with the call
                }
            }
            if (h.isClosed()) {
                throw new SocketException("Socket closed");
            }
            if (nonBlocking) {
                // a partial send or EAGAIN both mean the send buffer is full: wait before trying again
                h.await(fd, Syscalls.POLLOUT, -1);
            }
        }
    }

    @Override
    public void close() throws IOException {
        // java.net.Socket wraps this stream and closes the socket itself
    }
}
