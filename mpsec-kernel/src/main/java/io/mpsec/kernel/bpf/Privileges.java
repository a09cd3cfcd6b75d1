package io.mpsec.kernel.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The effective capabilities of this process ({@code CapEff} in /proc/self/status). */
final class Privileges {
    /** include/uapi/linux/capability.h */
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_BPF = 39;

    private Privileges() {
    }

    static boolean canLoadBpf() {
        long eff = effective();
        return (eff & (1L << CAP_BPF)) != 0 || (eff & (1L << CAP_SYS_ADMIN)) != 0;
    }

    static long effective() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
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
