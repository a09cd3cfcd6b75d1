package io.mpsec.kernel.ffi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** FdSwap against the real kernel (no privileges needed): the socket behind a number changes, nothing leaks. */
class FdSwapTest {
    private static final int SOL_SOCKET = 1;
    private static final int SO_DOMAIN = 39; // asm-generic/socket.h

    @Test
    void theTargetNumberNowNamesTheSourceSocketAndKeepsItsCloexecFlag() throws IOException {
        int target = Syscalls.socket(Syscalls.AF_INET, Syscalls.SOCK_STREAM | Syscalls.SOCK_CLOEXEC, Syscalls.IPPROTO_TCP);
        int source = Syscalls.socket(Syscalls.AF_INET6, Syscalls.SOCK_STREAM | Syscalls.SOCK_NONBLOCK, Syscalls.IPPROTO_TCP);
        try {
            FdSwap.replace(target, source);
            assertThat(Syscalls.getsockoptInt(target, SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN")).isEqualTo(Syscalls.AF_INET6);
            assertThat(Syscalls.libc().fcntl(target, FdSwap.F_GETFD, 0) & FdSwap.FD_CLOEXEC).as("FD_CLOEXEC kept").isEqualTo(1);
            assertThat(Syscalls.getFlags(target) & Syscalls.SOCK_NONBLOCK).as("O_NONBLOCK of the source's file").isNotZero();
            assertThat(Syscalls.libc().fcntl(source, FdSwap.F_GETFD, 0)).as("source number closed").isEqualTo(-1);
            assertThat(Syscalls.errno()).isEqualTo(Errno.EBADF);
        } finally {
            Syscalls.closeQuietly(target);
        }
    }

    @Test
    void aBadTargetFailsAndLeavesTheSourceOpen() throws IOException {
        int target = -1;
        int source = Syscalls.socket(Syscalls.AF_INET6, Syscalls.SOCK_STREAM, Syscalls.IPPROTO_TCP);
        try {
            assertThatThrownBy(() -> FdSwap.replace(target, source)).isInstanceOf(IOException.class).hasMessageContaining("F_GETFD");
            assertThat(Syscalls.getsockoptInt(source, SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN")).isEqualTo(Syscalls.AF_INET6);
        } finally {
            Syscalls.closeQuietly(source);
        }
    }
}
