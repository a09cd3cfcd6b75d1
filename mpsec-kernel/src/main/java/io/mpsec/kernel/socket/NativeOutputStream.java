package io.mpsec.kernel.socket;

import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** The output stream of an MPSec socket: write, and poll for POLLOUT when the send buffer is full. */
final class NativeOutputStream extends OutputStream {
    private static final int BUFFER = 64 * 1024;

    private final MptcpSocketImpl impl;
    private final ReentrantLock lock = new ReentrantLock();
    private Pointer buffer;

    NativeOutputStream(MptcpSocketImpl impl) {
        this.impl = impl;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
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
            if (buffer == null) {
                buffer = Memory.allocateDirect(Syscalls.runtime(), BUFFER);
            }
            int fd = h.acquire();
            try {
                while (len > 0) {
                    int chunk = Math.min(len, BUFFER);
                    buffer.put(0, b, off, chunk);
                    int done = 0;
                    while (done < chunk) {
                        long n = Syscalls.write(fd, buffer.slice(done), chunk - done);
                        if (h.isClosed()) {
                            throw new SocketException("Socket closed");
                        }
                        if (n >= 0) {
                            done += (int) n;
                        } else {
                            h.await(fd, Syscalls.POLLOUT, -1);
                        }
                    }
                    off += chunk;
                    len -= chunk;
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
    public void close() throws IOException {
        // java.net.Socket wraps this stream and closes the socket itself
    }
}
