package io.mpsec.kernel.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The effective capabilities of the calling thread ({@code CapEff} in /proc/thread-self/status):
 * capabilities are per thread on Linux, and the bpf() calls are made by the calling thread.
 */
final class Privileges {
    /** include/uapi/linux/capability.h */
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_PERFMON = 38;
    static final int CAP_BPF = 39;

    private Privileges() {
    }

    /**
     * Whether this thread may load a struct_ops congestion control: CAP_SYS_ADMIN, or CAP_BPF together
     * with CAP_PERFMON (struct_ops is a "perfmon" program type in kernel/bpf/syscall.c; measured on
     * Linux 6.18: CAP_BPF without CAP_PERFMON and CAP_SYS_ADMIN fails with EPERM).
     */
    static boolean canLoadBpf() {
        long eff = effective();
        return has(eff, CAP_SYS_ADMIN) || (has(eff, CAP_BPF) && has(eff, CAP_PERFMON));
    }

    /** What this thread lacks for {@link #canLoadBpf()}, e.g. "CAP_SYS_ADMIN and CAP_PERFMON". */
    static String missing() {
        long eff = effective();
        StringBuilder b = new StringBuilder("CAP_SYS_ADMIN");
        if (!has(eff, CAP_BPF)) {
            b.append(", CAP_BPF");
        }
        if (!has(eff, CAP_PERFMON)) {
            b.append(", CAP_PERFMON");
        }
        return b.toString();
    }

    private static boolean has(long eff, int cap) {
        return eff != -1 && (eff & (1L << cap)) != 0;
    }

    static long effective() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
