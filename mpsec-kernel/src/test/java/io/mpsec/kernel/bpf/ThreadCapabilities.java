package io.mpsec.kernel.bpf;

import jnr.ffi.LibraryLoader;

/**
 * Drops capabilities from the calling thread's effective set (capget/capset, capability(7)):
 * capabilities are per thread, so a test can run one call unprivileged inside a privileged JVM.
 */
final class ThreadCapabilities {
    /** {@code _LINUX_CAPABILITY_VERSION_3} from include/uapi/linux/capability.h. */
    private static final int VERSION_3 = 0x20080522;

    /** The two calls, with {@code struct __user_cap_header_struct} and two {@code __user_cap_data_struct}s as int arrays. */
    public interface Caps {
        int capget(int[] header, int[] data);

        int capset(int[] header, int[] data);
    }

    private static final Caps CAPS = LibraryLoader.create(Caps.class).load("c");

    private ThreadCapabilities() {
    }

    /** Removes {@code caps} (numbers, e.g. 21 for CAP_SYS_ADMIN) from this thread's effective set. */
    static void dropEffective(int... caps) {
        int[] header = {VERSION_3, 0};
        int[] data = new int[6];   // {effective, permitted, inheritable} x 2
        if (CAPS.capget(header, data) != 0) {
            throw new IllegalStateException("capget failed");
        }
        for (int cap : caps) {
            data[3 * (cap / 32)] &= ~(1 << (cap % 32));
        }
        if (CAPS.capset(header, data) != 0) {
            throw new IllegalStateException("capset failed");
        }
    }
}
