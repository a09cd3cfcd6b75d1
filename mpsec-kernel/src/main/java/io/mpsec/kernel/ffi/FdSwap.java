package io.mpsec.kernel.ffi;

import java.io.IOException;

/**
 * Puts another socket behind a descriptor number someone else owns: {@code dup3(2)} replaces the
 * open file of {@code target} atomically, then the source number is closed. Used to give an
 * unregistered Netty channel an MPTCP socket in place of the TCP socket its public constructor made,
 * with no reflection into Netty.
 */
public final class FdSwap {
    // include/uapi/asm-generic/fcntl.h
    static final int F_GETFD = 1;
    static final int FD_CLOEXEC = 1;

    private FdSwap() {
    }

    /**
     * Makes {@code target} refer to the socket of {@code source} (keeping {@code target}'s
     * close-on-exec flag) and closes {@code source}. The old file behind {@code target} is closed by
     * the kernel. On failure nothing has changed and {@code source} is still open (the caller closes it).
     */
    public static void replace(int target, int source) throws IOException {
        LibC libc = Syscalls.libc();
        int fdFlags = libc.fcntl(target, F_GETFD, 0);
        if (fdFlags < 0) {
            throw Errors.newException("fcntl(F_GETFD)", Syscalls.errno());
        }
        int flags = (fdFlags & FD_CLOEXEC) != 0 ? Syscalls.O_CLOEXEC : 0;
        if (libc.dup3(source, target, flags) < 0) {
            throw Errors.newException("dup3", Syscalls.errno());
        }
        Syscalls.closeQuietly(source);
    }
}
