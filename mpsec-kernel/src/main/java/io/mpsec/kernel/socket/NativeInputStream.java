package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** The input stream of an MPSec socket: poll + read on the non-blocking descriptor. */
final class NativeInputStream extends InputStream {
    private static final int BUFFER = 64 * 1024;

    private final MptcpSocketImpl impl;
    private final ReentrantLock lock = new ReentrantLock();
    private Pointer buffer;
    private boolean eof;

    NativeInputStream(MptcpSocketImpl impl) {
        this.impl = impl;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
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
            if (eof || impl.inputShutdown()) {
                return -1;
            }
            if (buffer == null) {
                buffer = Memory.allocateDirect(Syscalls.runtime(), BUFFER);
            }
            int fd = h.acquire();
            try {
                Deadline deadline = Deadline.after(impl.timeoutMillis());
                while (true) {
                    long n = Syscalls.read(fd, buffer, Math.min(len, BUFFER));
                    if (h.isClosed()) {
                        throw new SocketException("Socket closed");
                    }
                    if (n > 0) {
                        buffer.get(0, b, off, (int) n);
                        return (int) n;
                    }
                    if (n == 0) {
                        eof = true;
                        return -1;
                    }
                    // -EAGAIN: wait for data
                    h.await(fd, Syscalls.POLLIN, deadline.remainingMillis("Read timed out"));
                }
            } catch (SocketException e) {
                throw h.closedOr(e);
            } finally {
                h.release();
            }
        } finally {
            lock.unlock();
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
