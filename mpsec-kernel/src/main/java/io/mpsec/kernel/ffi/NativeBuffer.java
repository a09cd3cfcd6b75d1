package io.mpsec.kernel.ffi;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Native memory for system calls that move secret bytes (key files, xfrm messages with keys).
 * Passing a Java {@code byte[]} to a JNR call makes JNR copy it into a temporary native buffer that
 * is freed without being cleared; passing this buffer instead gives the kernel MPSec's own memory,
 * which {@link #wipe} clears with {@code memset} (a native call the JIT cannot elide).
 *
 * <p>Not thread-safe. {@link #close()} wipes the whole buffer; the memory itself is released by the
 * garbage collector.
 */
public final class NativeBuffer implements AutoCloseable {
    private final Pointer memory;
    private final int capacity;

    private NativeBuffer(Pointer memory, int capacity) {
        this.memory = memory;
        this.capacity = capacity;
    }

    /** A zeroed buffer of {@code capacity} bytes. */
    public static NativeBuffer allocate(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("native buffer capacity must be positive: " + capacity);
        }
        return new NativeBuffer(Memory.allocateDirect(Syscalls.runtime(), capacity, true), capacity);
    }

    public int capacity() {
        return capacity;
    }

    /** Copies {@code len} bytes of {@code src} from {@code srcOff} to the start of the buffer. */
    public void put(byte[] src, int srcOff, int len) {
        check(len);
        memory.put(0, src, srcOff, len);
    }

    /** Copies the first {@code len} bytes of the buffer to {@code dst} at {@code dstOff}. */
    public void get(byte[] dst, int dstOff, int len) {
        check(len);
        memory.get(0, dst, dstOff, len);
    }

    /** Overwrites the first {@code len} bytes with zeros. */
    public void wipe(int len) {
        check(len);
        if (len > 0) {
            memory.setMemory(0, len, (byte) 0);
        }
    }

    /** The whole buffer as a byte array (tests: proves {@link #wipe} cleared it). */
    byte[] snapshot() {
        byte[] b = new byte[capacity];
        memory.get(0, b, 0, capacity);
        return b;
    }

    Pointer pointer() {
        return memory;
    }

    private void check(int len) {
        if (len < 0 || len > capacity) {
            throw new IndexOutOfBoundsException("length " + len + " outside a native buffer of " + capacity + " bytes");
        }
    }

    @Override
    public void close() {
        wipe(capacity);
    }
}
